# LdapsAudit: the ldaps-audit collector as a PowerShell module (Windows PowerShell 5.1 and PowerShell 7).
# Public\ holds one exported function per file, Private\ the module's own helpers. The collector's functions
# live once, in ps\functions: the entry scripts and the fleet's remote script block use the same files. In the
# source tree (and the npm package) they sit next to this folder; `npm run package:psmodule` copies them into
# the module as functions\ so the published module stands alone.
Set-StrictMode -Version Latest

$script:LdapsAuditModuleRoot = $PSScriptRoot
$script:LdapsAuditFunctionsDirectory = Join-Path $PSScriptRoot 'functions'
if (-not (Test-Path -LiteralPath (Join-Path $script:LdapsAuditFunctionsDirectory 'Collection.ps1'))) {
    $script:LdapsAuditFunctionsDirectory = Join-Path (Split-Path -Parent $PSScriptRoot) 'functions'
}
foreach ($file in @(Get-ChildItem -LiteralPath $script:LdapsAuditFunctionsDirectory -Filter '*.ps1' | Sort-Object -Property Name)) {
    . $file.FullName
}
foreach ($file in @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Private') -Filter '*.ps1' | Sort-Object -Property Name)) {
    . $file.FullName
}
$publicFiles = @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1' | Sort-Object -Property Name)
foreach ($file in $publicFiles) {
    . $file.FullName
}
# One public function per file, named like the file: the manifest's FunctionsToExport lists the same names.
Export-ModuleMember -Function @($publicFiles | ForEach-Object { $_.BaseName })
