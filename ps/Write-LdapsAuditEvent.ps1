<#
.SYNOPSIS
    Writes the summary event of an ldaps-audit run to the Windows event log (registering the source when needed).
.DESCRIPTION
    Data arrives as base64 JSON (-InputBase64): { log, source, eventId, entryType, message }, never as script
    text; the message is built (and made single-line per field) by lib/eventlog/summary.ts. Answers
    { written, registeredSource } or { written: false, code, reason }; off Windows code is NotWindows.
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
foreach ($name in @('Common.ps1', 'EventLog.ps1')) { . (Join-Path $functionsDir $name) }
if ($ShimScript) { foreach ($s in $ShimScript) { . $s } }

try {
    $o = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($InputBase64)) | ConvertFrom-Json
    $result = Write-LdapsAuditEventLogEntry -LogName ([string]$o.log) -Source ([string]$o.source) -EventId ([int]$o.eventId) -EntryType ([string]$o.entryType) -Message ([string]$o.message)
    $json = ConvertTo-Json -InputObject $result -Compress
    if ($AsBase64) { Write-LdapsAuditMarker -Kind 'RESULT' -Json $json } else { $json }
} catch {
    if ($AsBase64) {
        Write-LdapsAuditMarker -Kind 'FAILURE' -Json (ConvertTo-Json -Compress -InputObject ([ordered]@{ message = [string]$_.Exception.Message; exceptionType = $_.Exception.GetType().FullName }))
    } else {
        throw
    }
}
