# The summary event of a run in the Windows event log (Application log, source ldaps-audit).
# Windows PowerShell 5.1 has New-EventLog / Write-EventLog; PowerShell 7 dropped them, so there the .NET class they
# wrap ([System.Diagnostics.EventLog]) does the same. Off Windows there is no event log: say so, never fail.
Set-StrictMode -Version Latest

function Test-LdapsAuditEventSource {
    <#
    Whether the source is registered: $true, $false, or $null when it cannot be told. SourceExists searches every
    log, the Security log included, which a non-elevated caller may not read (SecurityException).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Source)
    try {
        return [System.Diagnostics.EventLog]::SourceExists($Source)
    } catch [System.Security.SecurityException] {
        return $null
    }
}

function Write-LdapsAuditEventLogEntry {
    <#
    Registers the source in the log when it is not registered yet (needs an elevated administrator, once per host)
    and writes one entry. Returns @{ written; registeredSource } or @{ written = $false; code; reason }.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$LogName,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Source,
        [Parameter(Mandatory = $true)][ValidateRange(0, 65535)][int]$EventId,
        [Parameter(Mandatory = $true)][ValidateSet('Information', 'Warning', 'Error')][string]$EntryType,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Message
    )
    $hasCmdlets = ($null -ne (Get-Command -Name 'Write-EventLog' -ErrorAction SilentlyContinue)) -and ($null -ne (Get-Command -Name 'New-EventLog' -ErrorAction SilentlyContinue))
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    if (-not $hasCmdlets -and -not $onWindows) {
        return [ordered]@{ written = $false; code = 'NotWindows'; reason = ('there is no Windows event log on this system (' + [System.Environment]::OSVersion.VersionString + '); the report is the record of this run') }
    }
    $registered = $false
    $exists = Test-LdapsAuditEventSource -Source $Source
    if ($exists -eq $false) {
        try {
            if ($hasCmdlets) {
                New-EventLog -LogName $LogName -Source $Source -ErrorAction Stop
            } else {
                [System.Diagnostics.EventLog]::CreateEventSource($Source, $LogName)
            }
            $registered = $true
        } catch {
            $e = New-LdapsAuditError -Part 'eventlog/source' -ErrorRecord $_
            return [ordered]@{ written = $false; code = $e.code; reason = ('cannot register the event source "' + $Source + '" in the ' + $LogName + ' log (an elevated administrator must run once, or: New-EventLog -LogName ' + $LogName + ' -Source ' + $Source + '): ' + $e.message) }
        }
    }
    try {
        if ($hasCmdlets) {
            Write-EventLog -LogName $LogName -Source $Source -EventId $EventId -EntryType $EntryType -Category 0 -Message $Message -ErrorAction Stop
        } else {
            [System.Diagnostics.EventLog]::WriteEntry($Source, $Message, [System.Diagnostics.EventLogEntryType]$EntryType, $EventId)
        }
    } catch {
        $e = New-LdapsAuditError -Part 'eventlog/write' -ErrorRecord $_
        $hint = ''
        # Not elevated, the source's registration cannot even be looked up: the likely cause, and its remedy.
        if ($null -eq $exists) { $hint = ' (the source may not be registered yet: an elevated administrator must run once, or: New-EventLog -LogName ' + $LogName + ' -Source ' + $Source + ')' }
        return [ordered]@{ written = $false; code = $e.code; reason = ('writing to the ' + $LogName + ' log failed: ' + $e.message + $hint) }
    }
    return [ordered]@{ written = $true; registeredSource = $registered }
}
