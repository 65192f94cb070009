<#
.SYNOPSIS
    ldaps-audit collector: gathers LDAPS evidence on a domain controller or AD LDS server as a snapshot
    (JSON, schemas/snapshot.schema.json). Reads only; never exports private keys; never changes the machine.
.DESCRIPTION
    Certificates (NTDS\My and ADAM_<instance>\My from the registry, LocalMachine\My from Cert:), private key
    provider, key file ACL, the host's own chain result, host identity, LDAP policy registry values and
    aggregated Directory Service / ADAM / Schannel events. Each part runs in its own try/catch; a failing part
    is recorded in "errors" and the rest completes. Runs on Windows PowerShell 5.1 and PowerShell 7.
.PARAMETER InputBase64
    Options as base64 of UTF-8 JSON ({"lookbackDays":7,"maxEvents":5000,"revocationMode":"NoCheck"}); how
    ldaps-audit passes data without building script text. Values given here override the other parameters.
.PARAMETER AsBase64
    Write one line "LDAPS-AUDIT-RESULT:<base64 of UTF-8 JSON>" (console-encoding proof) instead of JSON text.
.PARAMETER ShimScript
    Scripts dot-sourced after the function files (test seam: they may redefine cmdlets or collector functions).
.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\Invoke-LdapsAuditCollector.ps1 -OutputPath C:\Temp\dc1.snapshot.json
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 3650)][int]$LookbackDays = 7,
    [ValidateRange(1, 10000000)][int]$MaxEvents = 5000,
    [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck',
    [ValidateNotNullOrEmpty()][string]$OutputPath,
    [ValidatePattern('^[A-Za-z0-9+/=\s]*$')][string]$InputBase64,
    [switch]$AsBase64,
    [ValidateNotNullOrEmpty()][string[]]$ShimScript
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$functionsDir = Join-Path $PSScriptRoot 'functions'
foreach ($name in @('Common.ps1', 'Certificates.ps1', 'HostInfo.ps1', 'Registry.ps1', 'Events.ps1', 'Clients.ps1', 'Collection.ps1')) {
    . (Join-Path $functionsDir $name)
}
if ($ShimScript) {
    foreach ($s in $ShimScript) { . $s }
}

try {
    if ($InputBase64) {
        $options = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($InputBase64)) | ConvertFrom-Json
        if ($null -ne $options.PSObject.Properties['lookbackDays']) { $LookbackDays = [int]$options.lookbackDays }
        if ($null -ne $options.PSObject.Properties['maxEvents']) { $MaxEvents = [int]$options.maxEvents }
        if ($null -ne $options.PSObject.Properties['revocationMode']) { $RevocationMode = [string]$options.revocationMode }
    }
    $snapshot = Invoke-LdapsAuditCollection -LookbackDays $LookbackDays -MaxEvents $MaxEvents -RevocationMode $RevocationMode
    $json = ConvertTo-LdapsAuditJson -InputObject $snapshot
    if ($OutputPath) {
        [System.IO.File]::WriteAllText($OutputPath, $json, (New-Object System.Text.UTF8Encoding($false)))
    }
    if ($AsBase64) {
        Write-LdapsAuditMarker -Kind 'RESULT' -Json $json
    } elseif (-not $OutputPath) {
        $json
    }
} catch {
    if ($AsBase64) {
        $failure = [ordered]@{ message = [string]$_.Exception.Message; exceptionType = $_.Exception.GetType().FullName }
        Write-LdapsAuditMarker -Kind 'FAILURE' -Json (ConvertTo-Json -InputObject $failure -Compress)
    } else {
        throw
    }
}
