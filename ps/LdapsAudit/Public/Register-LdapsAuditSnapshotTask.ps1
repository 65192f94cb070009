Set-StrictMode -Version Latest

function Register-LdapsAuditSnapshotTask {
    <#
    .SYNOPSIS
        Registers a daily scheduled task (as SYSTEM) that writes this DC's LDAPS snapshot to a folder or share, with no Node.js on the DC.
    .DESCRIPTION
        The task runs Windows PowerShell with the module's Scripts\Save-LdapsAuditSnapshot.ps1, which imports
        this module and runs Get-LdapsAuditSnapshot -OutputDirectory <folder>: the folder always holds
        <host>.snapshot.json, the latest snapshot of each DC, replaced atomically. Evaluate centrally, where
        ldaps-audit is installed: ldaps-audit evaluate \\fs1\ldaps-audit$\snapshots\*.snapshot.json

        The task runs as SYSTEM (the NTDS store, key files and the Directory Service log need it), so on a
        share it writes as the DC's computer account: grant the Domain Controllers group Modify on the folder.
        The arguments are passed to the script as data (-File), never as script text. Replaces a task of the
        same name. Needs an elevated administrator.
    .PARAMETER OutputDirectory
        Folder or UNC share for the snapshots.
    .PARAMETER At
        Daily start time, HH:mm (24 h, local time).
    .PARAMETER TaskName
        Task name under \ldaps-audit\.
    .PARAMETER LookbackDays
        Days of event log each run reads (a daily run needs little more than 1).
    .PARAMETER PowerShellPath
        PowerShell the task starts (default: this edition's: powershell.exe for Windows PowerShell, pwsh.exe for PowerShell 7).
    .EXAMPLE
        Register-LdapsAuditSnapshotTask -OutputDirectory \\fs1\ldaps-audit$\snapshots -At 02:30

        Every day at 02:30 this DC writes \\fs1\ldaps-audit$\snapshots\<its name>.snapshot.json.
    .EXAMPLE
        Register-LdapsAuditSnapshotTask -OutputDirectory D:\LdapsAudit -WhatIf

        Shows what would be registered, without registering it.
    .INPUTS
        None.
    .OUTPUTS
        LdapsAudit.ScheduledTask
    .LINK
        Unregister-LdapsAuditSnapshotTask
    .LINK
        Get-LdapsAuditSnapshot
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('LdapsAudit.ScheduledTask')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$OutputDirectory,

        [ValidatePattern('^([01][0-9]|2[0-3]):[0-5][0-9]$')]
        [string]$At = '03:00',

        [ValidatePattern('^[A-Za-z0-9 ._-]{1,100}$')]
        [string]$TaskName = 'ldaps-audit daily snapshot',

        [ValidateRange(1, 3650)]
        [int]$LookbackDays = 2,

        [ValidateNotNullOrEmpty()]
        [string]$PowerShellPath
    )
    $ErrorActionPreference = 'Stop'
    if (-not $PowerShellPath) { $PowerShellPath = Get-LdapsAuditPowerShellPath }
    $directory = Resolve-LdapsAuditOutputPath -SessionState $PSCmdlet.SessionState -Path $OutputDirectory
    $entryScript = Join-Path (Join-Path $script:LdapsAuditModuleRoot 'Scripts') 'Save-LdapsAuditSnapshot.ps1'
    $arguments = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $entryScript, '-OutputDirectory', $directory, '-LookbackDays', [string]$LookbackDays)
    $taskPath = '\ldaps-audit\'
    if (-not $PSCmdlet.ShouldProcess(($taskPath + $TaskName), ('Register a daily task at ' + $At + ' (as SYSTEM) writing LDAPS snapshots to ' + $directory))) { return }
    $registered = Register-LdapsAuditTask -TaskName $TaskName -TaskPath $taskPath -Execute $PowerShellPath -Arguments $arguments -At $At -WorkingDirectory $script:LdapsAuditModuleRoot -Description ('ldaps-audit: daily LDAPS snapshot into ' + $directory)
    $out = [pscustomobject]$registered
    $out.PSObject.TypeNames.Insert(0, 'LdapsAudit.ScheduledTask')
    return $out
}
