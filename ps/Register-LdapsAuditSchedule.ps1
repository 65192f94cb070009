<#
.SYNOPSIS
    Installs or removes the scheduled task that runs `ldaps-audit check` daily (as SYSTEM; needs an elevated caller).
.DESCRIPTION
    Data arrives as base64 JSON (-InputBase64): { action: install|remove, taskName, taskPath, execute,
    arguments: [..], at: "HH:mm", workingDirectory }. Arguments are quoted for CommandLineToArgvW here,
    never spliced into script text.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=\s]+$')][string]$InputBase64,
    [switch]$AsBase64,
    [ValidateNotNullOrEmpty()][string[]]$ShimScript
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$functionsDir = Join-Path $PSScriptRoot 'functions'
foreach ($name in @('Common.ps1', 'Schedule.ps1')) { . (Join-Path $functionsDir $name) }
if ($ShimScript) { foreach ($s in $ShimScript) { . $s } }

try {
    $o = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($InputBase64)) | ConvertFrom-Json
    $taskPath = '\ldaps-audit\'
    if ($null -ne $o.PSObject.Properties['taskPath'] -and $o.taskPath) { $taskPath = [string]$o.taskPath }
    if ([string]$o.action -eq 'install') {
        $result = Register-LdapsAuditTask -TaskName ([string]$o.taskName) -TaskPath $taskPath -Execute ([string]$o.execute) -Arguments ([string[]]@($o.arguments)) -At ([string]$o.at) -WorkingDirectory ([string]$o.workingDirectory)
    } elseif ([string]$o.action -eq 'remove') {
        $result = Unregister-LdapsAuditTask -TaskName ([string]$o.taskName) -TaskPath $taskPath
    } else {
        throw (New-Object System.ArgumentException(('unknown action ' + [string]$o.action)))
    }
    $json = ConvertTo-Json -InputObject $result -Compress
    if ($AsBase64) { Write-LdapsAuditMarker -Kind 'RESULT' -Json $json } else { $json }
} catch {
    if ($AsBase64) {
        Write-LdapsAuditMarker -Kind 'FAILURE' -Json (ConvertTo-Json -Compress -InputObject ([ordered]@{ message = [string]$_.Exception.Message; exceptionType = $_.Exception.GetType().FullName }))
    } else {
        throw
    }
}
