<#
.SYNOPSIS
    Runs the ldaps-audit collector on many domain controllers through PowerShell remoting (WinRM).
.DESCRIPTION
    Invoke-Command -ComputerName ... -ThrottleLimit N carries the collector's functions in one script block;
    each host returns its snapshot as JSON. A host that fails (unreachable, access denied) becomes an entry
    { host, error } and never stops the others. Options arrive as base64 JSON (-InputBase64):
    { computerName: [..] | allDomainControllers: true, throttle, credentialUserVariable, credentialPasswordVariable,
      lookbackDays, maxEvents, revocationMode }. The credential is read from the two environment variables named.
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
foreach ($name in @('Common.ps1', 'Fleet.ps1')) { . (Join-Path $functionsDir $name) }
if ($ShimScript) { foreach ($s in $ShimScript) { . $s } }

try {
    $o = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($InputBase64)) | ConvertFrom-Json
    $names = @()
    if ($null -ne $o.PSObject.Properties['allDomainControllers'] -and [bool]$o.allDomainControllers) {
        $names = @(Get-LdapsAuditDomainControllerName)
    }
    if ($null -ne $o.PSObject.Properties['computerName']) { $names = @($names) + @($o.computerName | ForEach-Object { [string]$_ }) }
    $names = @($names | Where-Object { $_ } | Select-Object -Unique)
    if ($names.Count -eq 0) { throw (New-Object System.ArgumentException('no computer to collect from')) }
    $params = @{ ComputerName = [string[]]$names; FunctionsDirectory = $functionsDir }
    if ($null -ne $o.PSObject.Properties['throttle']) { $params.ThrottleLimit = [int]$o.throttle }
    if ($null -ne $o.PSObject.Properties['lookbackDays']) { $params.LookbackDays = [int]$o.lookbackDays }
    if ($null -ne $o.PSObject.Properties['maxEvents']) { $params.MaxEvents = [int]$o.maxEvents }
    if ($null -ne $o.PSObject.Properties['revocationMode']) { $params.RevocationMode = [string]$o.revocationMode }
    if ($null -ne $o.PSObject.Properties['credentialUserVariable'] -and $o.credentialUserVariable) {
        $user = [Environment]::GetEnvironmentVariable([string]$o.credentialUserVariable)
        $pass = [Environment]::GetEnvironmentVariable([string]$o.credentialPasswordVariable)
        if (-not $user -or -not $pass) { throw (New-Object System.ArgumentException('the credential environment variables are not both set')) }
        $secure = New-Object System.Security.SecureString
        foreach ($ch in $pass.ToCharArray()) { $secure.AppendChar($ch) }
        $secure.MakeReadOnly()
        $params.Credential = New-Object System.Management.Automation.PSCredential($user, $secure)
    }
    $results = Invoke-LdapsAuditFleetCollection @params
    $json = ConvertTo-Json -InputObject @($results) -Depth 6 -Compress
    if ($AsBase64) { Write-LdapsAuditMarker -Kind 'RESULT' -Json $json } else { $json }
} catch {
    if ($AsBase64) {
        Write-LdapsAuditMarker -Kind 'FAILURE' -Json (ConvertTo-Json -Compress -InputObject ([ordered]@{ message = [string]$_.Exception.Message; exceptionType = $_.Exception.GetType().FullName }))
    } else {
        throw
    }
}
