Set-StrictMode -Version Latest

function Unregister-LdapsAuditSnapshotTask {
    <#
    .SYNOPSIS
        Removes the daily snapshot task that Register-LdapsAuditSnapshotTask installed.
    .DESCRIPTION
        Removes \ldaps-audit\<TaskName>; the snapshots already written stay where they are. Reports removed =
        $false when there is no such task. Needs an elevated administrator.
    .PARAMETER TaskName
        Task name under \ldaps-audit\.
    .EXAMPLE
        Unregister-LdapsAuditSnapshotTask

        Removes the task "ldaps-audit daily snapshot".
    .EXAMPLE
        Unregister-LdapsAuditSnapshotTask -TaskName 'ldaps-audit hourly snapshot' -Confirm:$false

        Removes a task registered under another name, without asking.
    .INPUTS
        None.
    .OUTPUTS
        LdapsAudit.ScheduledTask
    .LINK
        Register-LdapsAuditSnapshotTask
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('LdapsAudit.ScheduledTask')]
    param(
        [ValidatePattern('^[A-Za-z0-9 ._-]{1,100}$')]
        [string]$TaskName = 'ldaps-audit daily snapshot'
    )
    $ErrorActionPreference = 'Stop'
    $taskPath = '\ldaps-audit\'
    if (-not $PSCmdlet.ShouldProcess(($taskPath + $TaskName), 'Remove scheduled task')) { return }
    $out = [pscustomobject](Unregister-LdapsAuditTask -TaskName $TaskName -TaskPath $taskPath)
    $out.PSObject.TypeNames.Insert(0, 'LdapsAudit.ScheduledTask')
    return $out
}
