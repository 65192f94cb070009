# Files the module writes: snapshot names per host, atomic writes (a reader on a share never sees half a file).
Set-StrictMode -Version Latest

function ConvertTo-LdapsAuditFileName {
    <#
    A host name as a file name: letters, digits, dot, dash, underscore; anything else becomes "_" (the same
    rule as safeFileName in lib/cli/commands/collect.ts, so `collect --output-dir` and the module name files alike).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$HostName)
    $s = ($HostName.Trim() -replace '[^A-Za-z0-9._-]', '_') -replace '^\.+', '_'
    if (-not $s) { $s = 'host' }
    if ($s.Length -gt 120) { $s = $s.Substring(0, 120) }
    return $s
}

function Resolve-LdapsAuditOutputPath {
    <# A path as the file system sees it, relative paths taken from the PowerShell location (not the process's). #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][System.Management.Automation.SessionState]$SessionState, [Parameter(Mandatory = $true)][string]$Path)
    return $SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function Write-LdapsAuditFileAtomic {
    <#
    Writes UTF-8 text (no BOM) to a temporary file in the target folder, then renames it over the target:
    the central evaluator reading a share, or a second run, never sees a partly written snapshot.
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$LiteralPath,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text
    )
    $directory = [System.IO.Path]::GetDirectoryName($LiteralPath)
    if ($directory -and -not [System.IO.Directory]::Exists($directory)) { $null = [System.IO.Directory]::CreateDirectory($directory) }
    $temp = [System.IO.Path]::Combine($directory, ('.' + [System.IO.Path]::GetFileName($LiteralPath) + '.' + [guid]::NewGuid().ToString('N') + '.tmp'))
    try {
        [System.IO.File]::WriteAllText($temp, $Text, (New-Object System.Text.UTF8Encoding($false)))
        if ([System.IO.File]::Exists($LiteralPath)) {
            # [NullString]: a plain $null would reach the string parameter as "" (no backup file is wanted).
            [System.IO.File]::Replace($temp, $LiteralPath, [NullString]::Value)
        } else {
            [System.IO.File]::Move($temp, $LiteralPath)
        }
    } finally {
        if ([System.IO.File]::Exists($temp)) { [System.IO.File]::Delete($temp) }
    }
    return (New-Object System.IO.FileInfo($LiteralPath))
}
