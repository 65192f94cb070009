# Parses PowerShell files (or a snippet) and reports parse errors and syntax Windows PowerShell 5.1
# does not have (??, ??=, ?., ?[], ternary, && / || pipeline chains, ForEach-Object -Parallel), as JSON.
# -Paths takes file paths separated by | (pwsh -File passes each argument as one string).
param([string]$Paths, [string]$Snippet)
$ErrorActionPreference = 'Stop'
$results = @()
$inputs = @()
foreach ($p in ($Paths -split '\|')) { if ($p) { $inputs += @{ name = $p; file = $p } } }
if ($Snippet) { $inputs += @{ name = 'snippet'; text = $Snippet } }
foreach ($in in $inputs) {
    $tokens = $null; $errors = $null
    if ($in.file) { $ast = [System.Management.Automation.Language.Parser]::ParseFile($in.file, [ref]$tokens, [ref]$errors) }
    else { $ast = [System.Management.Automation.Language.Parser]::ParseInput($in.text, [ref]$tokens, [ref]$errors) }
    $bad = @()
    $badTokens = @('QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr')
    foreach ($t in $tokens) {
        if ($badTokens -contains [string]$t.Kind) { $bad += ('{0} at line {1}' -f $t.Kind, $t.Extent.StartLineNumber) }
    }
    $nodes = $ast.FindAll({ param($n) $n.GetType().Name -eq 'TernaryExpressionAst' -or $n.GetType().Name -eq 'PipelineChainAst' }, $true)
    foreach ($n in $nodes) { $bad += ('{0} at line {1}' -f $n.GetType().Name, $n.Extent.StartLineNumber) }
    $parallel = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandParameterAst] -and $n.ParameterName -eq 'Parallel' }, $true)
    foreach ($n in $parallel) { $bad += ('-Parallel at line {0}' -f $n.Extent.StartLineNumber) }
    $classes = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.TypeDefinitionAst] }, $true) | ForEach-Object {
        @{ name = $_.Name; attributes = @($_.Attributes | ForEach-Object { $_.TypeName.Name }) }
    })
    $results += @{ name = $in.name; errors = @($errors | ForEach-Object { '{0} at line {1}' -f $_.Message, $_.Extent.StartLineNumber }); incompatible = $bad; classes = $classes }
}
ConvertTo-Json -InputObject @($results) -Depth 6 -Compress
