<#
.SYNOPSIS
    Runs one step (or one undo) of `ldaps-audit fix --apply`: a named function of ps/functions/Fix.ps1 with its parameters.
.DESCRIPTION
    Data arrives as base64 JSON (-InputBase64): { function, parameters, whatIf, pfxPasswordEnv?, credential? }, never
    as script text; only the functions listed here can be called. A PFX password and LDAP credentials are read from
    environment variables named in the input (they never cross a command line or this JSON) and become a
    SecureString / PSCredential. Answers RESULT { ok: true, result } or { ok: false, error, exceptionType } when the
    step failed (a refusal by the server, a missing certificate): a step failure is an outcome, not a crash.
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
foreach ($name in @('Common.ps1', 'Certificates.ps1', 'Fix.ps1')) { . (Join-Path $functionsDir $name) }
if ($ShimScript) { foreach ($s in $ShimScript) { . $s } }

$allowed = @(
    'Import-LdapsAuditPfx', 'Request-LdapsAuditCertificate', 'Copy-LdapsAuditCertificate', 'Undo-LdapsAuditCertificateAdd',
    'Grant-LdapsAuditKeyRead', 'Restore-LdapsAuditKeyAcl', 'Remove-LdapsAuditCompetingCertificate',
    'Restore-LdapsAuditCompetingCertificate', 'Invoke-LdapsAuditCertificateReload'
)

function Write-FixStepAnswer {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)]$Answer)
    $json = ConvertTo-Json -InputObject $Answer -Depth 8 -Compress
    if ($AsBase64) { Write-LdapsAuditMarker -Kind 'RESULT' -Json $json } else { $json }
}

try {
    $o = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($InputBase64)) | ConvertFrom-Json
    $fn = [string]$o.function
    if ($allowed -notcontains $fn) { throw (New-Object System.ArgumentException(('not a fix step function: ' + $fn))) }
    $params = @{}
    if ($null -ne $o.parameters) {
        foreach ($p in $o.parameters.PSObject.Properties) {
            if ($p.Value -is [System.Array]) { $params[$p.Name] = [string[]]@($p.Value) } else { $params[$p.Name] = $p.Value }
        }
    }
    if ($null -ne $o.PSObject.Properties['pfxPasswordEnv'] -and $o.pfxPasswordEnv) {
        $plain = [Environment]::GetEnvironmentVariable([string]$o.pfxPasswordEnv)
        if ($null -eq $plain) { throw (New-Object System.ArgumentException(('the environment variable ' + [string]$o.pfxPasswordEnv + ' (the PFX password) is not set'))) }
        $params['Password'] = ConvertTo-SecureString -String $plain -AsPlainText -Force
    } elseif ($fn -eq 'Import-LdapsAuditPfx') {
        $params['Password'] = New-Object System.Security.SecureString
    }
    if ($null -ne $o.PSObject.Properties['credential'] -and $null -ne $o.credential) {
        $pw = [Environment]::GetEnvironmentVariable([string]$o.credential.passwordEnv)
        if ($null -eq $pw) { throw (New-Object System.ArgumentException(('the environment variable ' + [string]$o.credential.passwordEnv + ' (the LDAP password) is not set'))) }
        $params['Credential'] = New-Object System.Management.Automation.PSCredential([string]$o.credential.user, (ConvertTo-SecureString -String $pw -AsPlainText -Force))
    }
    $whatIf = [bool]$o.whatIf
    try {
        $result = & $fn @params -WhatIf:$whatIf -Confirm:$false
        Write-FixStepAnswer -Answer ([ordered]@{ ok = $true; result = $result })
    } catch {
        Write-FixStepAnswer -Answer ([ordered]@{ ok = $false; error = [string]$_.Exception.Message; exceptionType = $_.Exception.GetType().FullName })
    }
} catch {
    if ($AsBase64) {
        Write-LdapsAuditMarker -Kind 'FAILURE' -Json (ConvertTo-Json -Compress -InputObject ([ordered]@{ message = [string]$_.Exception.Message; exceptionType = $_.Exception.GetType().FullName }))
    } else {
        throw
    }
}
