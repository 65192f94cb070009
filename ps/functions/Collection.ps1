# The collection itself: one snapshot (schemas/snapshot.schema.json) for this host.
Set-StrictMode -Version Latest

$script:LdapsAuditCollectorVersion = '0.1.0'

function Invoke-LdapsAuditCollection {
    <#
    Gathers host identity, certificate stores, LDAP policy registry values, aggregated events and the clients
    that try LDAPS (connection table, firewall log, reverse DNS).
    Every part runs in its own try/catch; a failing part becomes an entry in errors and the rest completes.
    Returns an ordered dictionary shaped like the snapshot schema (ConvertTo-Json -Depth 20 it).
    #>
    [CmdletBinding()]
    param(
        [ValidateRange(1, 3650)][int]$LookbackDays = 7,
        [ValidateRange(1, 10000000)][int]$MaxEvents = 5000,
        [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck',
        [switch]$SkipEvents
    )
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    $WarningPreference = 'SilentlyContinue'
    $now = [datetime]::UtcNow
    $errors = New-Object System.Collections.Generic.List[object]
    $snapshot = [ordered]@{
        schemaVersion = 1
        collectedAt   = (ConvertTo-LdapsAuditIsoDate -Date $now)
        collector     = [ordered]@{
            name      = 'ldaps-audit-ps'
            version   = $script:LdapsAuditCollectorVersion
            psVersion = [string]$PSVersionTable.PSVersion
            psEdition = [string]$PSVersionTable.PSEdition
        }
        host          = $null
    }
    if (-not $PSVersionTable.ContainsKey('PSEdition')) { $snapshot.collector.psEdition = 'Desktop' }

    $hostInfo = $null
    try {
        $hostInfo = Get-LdapsAuditHostInfo -Errors $errors
    } catch {
        $errors.Add((New-LdapsAuditError -Part 'host' -ErrorRecord $_))
        $hostInfo = [ordered]@{ fqdn = [string][Environment]::MachineName }
    }
    $snapshot.host = $hostInfo
    # Role unknown (WMI failed) is treated like a DC: reading NTDS evidence that is not there only yields empty results.
    $isDc = -not ($hostInfo.Contains('isDomainController') -and $hostInfo.isDomainController -eq $false)
    $adldsServices = New-Object System.Collections.Generic.List[string]
    if ($hostInfo.Contains('adldsInstances')) {
        foreach ($i in @($hostInfo.adldsInstances)) { $adldsServices.Add([string]$i.serviceName) }
    }
    if ($hostInfo.Contains('isDomainController') -and $hostInfo.isDomainController -eq $false -and $adldsServices.Count -eq 0) {
        $errors.Add([ordered]@{ part = 'host/role'; message = 'this host is neither a domain controller nor an AD LDS server; only LocalMachine\My and Schannel evidence was gathered'; code = 'NotADomainController' })
    }

    $stores = New-Object System.Collections.Generic.List[object]
    if ($isDc) {
        try { $stores.Add((Get-LdapsAuditServiceStore -ServiceName 'NTDS' -RevocationMode $RevocationMode -Errors $errors)) } catch { $errors.Add((New-LdapsAuditError -Part 'stores/NTDS\My' -ErrorRecord $_)) }
    }
    foreach ($svc in $adldsServices) {
        try { $stores.Add((Get-LdapsAuditServiceStore -ServiceName $svc -RevocationMode $RevocationMode -Errors $errors)) } catch { $errors.Add((New-LdapsAuditError -Part ('stores/' + $svc + '\My') -ErrorRecord $_)) }
    }
    try { $stores.Add((Get-LdapsAuditMachineStore -RevocationMode $RevocationMode -Errors $errors)) } catch { $errors.Add((New-LdapsAuditError -Part 'stores/LocalMachine\My' -ErrorRecord $_)) }
    $snapshot.stores = $stores.ToArray()

    try {
        $snapshot.registry = Get-LdapsAuditRegistryEvidence -IncludeNtds $isDc -AdldsServiceNames $adldsServices.ToArray() -Errors $errors
    } catch {
        $errors.Add((New-LdapsAuditError -Part 'registry' -ErrorRecord $_))
    }

    if (-not $SkipEvents) {
        $directoryLogs = New-Object System.Collections.Generic.List[object]
        if ($isDc) { $directoryLogs.Add(@{ log = 'Directory Service'; service = 'NTDS' }) }
        foreach ($svc in $adldsServices) { $directoryLogs.Add(@{ log = ('ADAM (' + $svc.Substring(5) + ')'); service = $svc }) }
        try {
            $snapshot.events = Get-LdapsAuditEventEvidence -LookbackDays $LookbackDays -MaxEvents $MaxEvents -DirectoryLogs $directoryLogs.ToArray() -Now $now -Errors $errors
        } catch {
            $errors.Add((New-LdapsAuditError -Part 'events' -ErrorRecord $_))
        }
    }

    # Which clients try LDAPS (event 1220 names none): connection table, firewall log, reverse DNS (2889 addresses too).
    $clientPorts = @()
    try {
        $instances = @()
        if ($hostInfo.Contains('adldsInstances')) { $instances = @($hostInfo.adldsInstances) }
        $clientPorts = Get-LdapsAuditClientPort -IncludeNtds $isDc -AdldsInstances $instances
    } catch {
        $errors.Add((New-LdapsAuditError -Part 'clients/ports' -ErrorRecord $_))
    }
    if (@($clientPorts).Count -gt 0) {
        $known = New-Object System.Collections.Generic.List[string]
        if ($snapshot.Contains('events') -and $null -ne $snapshot.events) {
            foreach ($c in @($snapshot.events.insecureBindClients)) { if ($c.ip) { $known.Add([string]$c.ip) } }
        }
        try {
            $snapshot.clients = Get-LdapsAuditClientEvidence -Ports $clientPorts -LookbackDays $LookbackDays -Now $now -KnownAddresses $known.ToArray() -Errors $errors
        } catch {
            $errors.Add((New-LdapsAuditError -Part 'clients' -ErrorRecord $_))
        }
    }
    $snapshot.errors = $errors.ToArray()
    return $snapshot
}

function ConvertTo-LdapsAuditJson {
    <# Compact JSON of a snapshot (depth large enough for chains and ACLs). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$InputObject)
    return (ConvertTo-Json -InputObject $InputObject -Depth 20 -Compress)
}
