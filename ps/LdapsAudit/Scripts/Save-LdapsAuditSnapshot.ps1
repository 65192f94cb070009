<#
.SYNOPSIS
    What the daily snapshot task runs (Register-LdapsAuditSnapshotTask): imports the LdapsAudit module next to this
    folder and writes <host>.snapshot.json into -OutputDirectory. Needs no Node.js.
.PARAMETER ShimScript
    Scripts dot-sourced into the module's scope after import (test seam: they may redefine cmdlets or collector functions).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$OutputDirectory,
    [ValidateRange(1, 3650)][int]$LookbackDays = 2,
    [ValidateNotNullOrEmpty()][string[]]$ShimScript
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$module = Import-Module -Name (Join-Path (Split-Path -Parent $PSScriptRoot) 'LdapsAudit.psd1') -Force -PassThru
if ($ShimScript) {
    foreach ($s in $ShimScript) { . $module { param($path) . $path } $s }
}
$file = Get-LdapsAuditSnapshot -OutputDirectory $OutputDirectory -LookbackDays $LookbackDays
Write-Output ('ldaps-audit: wrote ' + $file.FullName)
