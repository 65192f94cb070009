Set-StrictMode -Version Latest

function Get-LdapsAuditSnapshot {
    <#
    .SYNOPSIS
        Collects the LDAPS evidence of this domain controller or AD LDS server (or of others, through remoting) as an ldaps-audit snapshot.
    .DESCRIPTION
        Reads the certificate stores (NTDS\My and ADAM_<instance>\My from the registry, LocalMachine\My), the
        private key provider and key file ACL, the host's own chain result, host identity, the LDAP policy
        registry values, the aggregated Directory Service / ADAM / Schannel events and the clients that try
        LDAPS. Nothing on the machine is changed and no private key is read or exported. Needs no Node.js: the
        snapshot (schemas/snapshot.schema.json) is evaluated by Invoke-LdapsAudit or `ldaps-audit evaluate`,
        here or on another machine.

        Without -Path or -OutputDirectory the snapshot is returned as an object (LdapsAudit.Snapshot). A part
        that cannot be read (access denied, no such log) is listed in its errors property; the rest completes.
        Run elevated: the NTDS service store and the key files are readable by Administrators only.
    .PARAMETER Path
        Write the snapshot as JSON to this file (atomically) and return the file.
    .PARAMETER OutputDirectory
        Write <host>.snapshot.json into this folder (atomically; a share works) and return the file. Each run
        replaces the host's previous snapshot, so the folder always holds the latest snapshot of every host:
        `ldaps-audit evaluate <folder>\*.snapshot.json` audits them all. With -ComputerName a host that cannot
        be reached gets <host>.error.json instead.
    .PARAMETER ComputerName
        Collect on these domain controllers through PowerShell remoting (Invoke-Command, WinRM) instead of
        this host. The collector's functions travel in the script block; nothing is installed remotely.
    .PARAMETER Credential
        Remoting credential (default: the current user).
    .PARAMETER ThrottleLimit
        With -ComputerName: how many hosts are collected at once.
    .PARAMETER LookbackDays
        Days of event log to read.
    .PARAMETER MaxEvents
        Most events read per log; more marks the event counts as lower bounds (events.truncated).
    .PARAMETER RevocationMode
        Revocation checking for the host's own chain build (Online may wait on CRL/OCSP downloads).
    .EXAMPLE
        Get-LdapsAuditSnapshot

        Returns this DC's snapshot as an object; for example (Get-LdapsAuditSnapshot).stores lists the
        certificate stores and their certificates.
    .EXAMPLE
        Get-LdapsAuditSnapshot -Path C:\Temp\dc1.snapshot.json

        Writes the snapshot to a file, to evaluate elsewhere: ldaps-audit evaluate dc1.snapshot.json
    .EXAMPLE
        Get-LdapsAuditSnapshot -OutputDirectory \\fs1\ldaps-audit$\snapshots -LookbackDays 1

        Writes \\fs1\ldaps-audit$\snapshots\<this host>.snapshot.json, as the daily task of
        Register-LdapsAuditSnapshotTask does on a DC without Node.js.
    .EXAMPLE
        Get-LdapsAuditSnapshot -ComputerName dc1.corp.example, dc2.corp.example -OutputDirectory C:\LdapsAudit\snapshots

        Collects on two DCs through WinRM and writes one file per host.
    .INPUTS
        None.
    .OUTPUTS
        LdapsAudit.Snapshot, or System.IO.FileInfo with -Path or -OutputDirectory.
    .LINK
        Invoke-LdapsAudit
    .LINK
        Register-LdapsAuditSnapshotTask
    #>
    [CmdletBinding(DefaultParameterSetName = 'Object', SupportsShouldProcess = $true)]
    [OutputType('LdapsAudit.Snapshot', ParameterSetName = 'Object')]
    [OutputType([System.IO.FileInfo], ParameterSetName = ('Path', 'Directory'))]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Path')]
        [ValidateNotNullOrEmpty()]
        [string]$Path,

        [Parameter(Mandatory = $true, ParameterSetName = 'Directory')]
        [ValidateNotNullOrEmpty()]
        [string]$OutputDirectory,

        [Parameter(ParameterSetName = 'Object')]
        [Parameter(ParameterSetName = 'Directory')]
        [ValidateNotNullOrEmpty()]
        [string[]]$ComputerName,

        [Parameter(ParameterSetName = 'Object')]
        [Parameter(ParameterSetName = 'Directory')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ParameterSetName = 'Object')]
        [Parameter(ParameterSetName = 'Directory')]
        [ValidateRange(1, 1000)]
        [int]$ThrottleLimit = 16,

        [ValidateRange(1, 3650)]
        [int]$LookbackDays = 7,

        [ValidateRange(1, 10000000)]
        [int]$MaxEvents = 5000,

        [ValidateSet('NoCheck', 'Online', 'Offline')]
        [string]$RevocationMode = 'NoCheck'
    )
    # A failed host is the caller's kind of error (-ErrorAction decides); everything else here stops.
    $callerErrorAction = $ErrorActionPreference
    $ErrorActionPreference = 'Stop'
    $directory = $null
    if ($OutputDirectory) { $directory = Resolve-LdapsAuditOutputPath -SessionState $PSCmdlet.SessionState -Path $OutputDirectory }

    if (-not $ComputerName) {
        $snapshot = Invoke-LdapsAuditCollection -LookbackDays $LookbackDays -MaxEvents $MaxEvents -RevocationMode $RevocationMode
        if ($PSCmdlet.ParameterSetName -eq 'Object') { return (ConvertTo-LdapsAuditSnapshotObject -Snapshot $snapshot) }
        if ($directory) {
            $target = Join-Path $directory ((ConvertTo-LdapsAuditFileName -HostName ([string]$snapshot.host.fqdn)) + '.snapshot.json')
        } else {
            $target = Resolve-LdapsAuditOutputPath -SessionState $PSCmdlet.SessionState -Path $Path
        }
        if ($PSCmdlet.ShouldProcess($target, 'Write LDAPS audit snapshot')) {
            Write-LdapsAuditFileAtomic -LiteralPath $target -Text (ConvertTo-LdapsAuditJson -InputObject $snapshot)
        }
        return
    }

    $fleet = @{ ComputerName = $ComputerName; ThrottleLimit = $ThrottleLimit; FunctionsDirectory = $script:LdapsAuditFunctionsDirectory; LookbackDays = $LookbackDays; MaxEvents = $MaxEvents; RevocationMode = $RevocationMode }
    if ($Credential -ne [System.Management.Automation.PSCredential]::Empty) { $fleet.Credential = $Credential }
    # The fleet function returns its list as one object (return , $list): assign it, do not wrap it in @().
    $entries = Invoke-LdapsAuditFleetCollection @fleet
    foreach ($entry in $entries) {
        $name = [string]$entry.host
        if ($entry.Contains('error')) {
            if ($directory) {
                $errorFile = Join-Path $directory ((ConvertTo-LdapsAuditFileName -HostName $name) + '.error.json')
                if ($PSCmdlet.ShouldProcess($errorFile, 'Write collection error')) {
                    $null = Write-LdapsAuditFileAtomic -LiteralPath $errorFile -Text (ConvertTo-Json -InputObject $entry -Depth 5 -Compress)
                }
            }
            # One host's failure is reported and the others still come through.
            $exception = New-Object System.InvalidOperationException(($name + ': ' + [string]$entry.error.message + ' (' + [string]$entry.error.code + ')'))
            $ErrorActionPreference = $callerErrorAction
            $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord($exception, 'LdapsAuditRemoteCollectionFailed', [System.Management.Automation.ErrorCategory]::ConnectionError, $name)))
            $ErrorActionPreference = 'Stop'
            continue
        }
        if ($directory) {
            $target = Join-Path $directory ((ConvertTo-LdapsAuditFileName -HostName $name) + '.snapshot.json')
            if ($PSCmdlet.ShouldProcess($target, 'Write LDAPS audit snapshot')) {
                # The remote side's JSON is written as it came: no round trip through objects that could reshape dates.
                Write-LdapsAuditFileAtomic -LiteralPath $target -Text ([string]$entry.snapshotJson)
            }
        } else {
            ConvertTo-LdapsAuditSnapshotObject -Snapshot (ConvertFrom-Json -InputObject ([string]$entry.snapshotJson))
        }
    }
}
