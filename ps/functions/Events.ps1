# Event-log evidence, filtered server-side with Get-WinEvent -FilterHashtable and aggregated here
# (counts, first/last, error codes, 2887 totals, 2889 clients, 3039/3074/3075 channel-binding clients, 3040 totals;
# Schannel 36888 per alert and error state, 36874 per protocol). Never ships raw event streams.
#
# Channel-binding events (Directory Service, or "ADAM (<instance>)" for AD LDS), as Microsoft documents them:
#   3039  a client's LDAPS bind failed channel-binding token validation; like 2889 it names the client ("Client IP
#         address", "Identity the client attempted to authenticate as"); needs "16 LDAP Interface Events" >= 2.
#         KB4520412 ("2020, 2023, and 2024 LDAP channel binding and LDAP signing requirements for Windows").
#   3040  24-hour summary of LDAPS binds made without channel-binding validation (no client named).
#   3041  the server does not enforce channel-binding validation (a periodic recommendation, like 2886; its text
#         as a DC logs it is quoted at mcbsys.com, "Hardening LDAP in Server 2016 Essentials", 2020). Microsoft's
#         newer overview (learn.microsoft.com windows-server/identity/ad-ds/ldap-signing, 2026) calls 3041
#         "Channel binding successful" and 2889 "Signed LDAP communications": that contradicts KB935834's 2889
#         template and the logged 3041 text, so it is not followed here. 3041 is only counted.
#   3074  audit: an LDAPS bind that WOULD fail channel-binding validation if it were enforced.
#   3075  audit: an LDAPS bind that carried no channel-binding token and would be refused if it were enforced.
#         3074/3075: "What's new in Windows Server 2025" (Channel binding audit support; also Windows Server 2022
#         and later via KB4520412); TrustedSec, "LDAP Channel Binding and LDAP Signing" (2025): logged once the
#         DC policy is "When supported" (LdapEnforceChannelBinding = 1).
# UNVERIFIED FIELD MAPPING: no primary source in reach documents the EventData positions of 3039/3040/3074/3075,
# and no real capture was available. Like 2889, whose layout is documented, the client events are read as
# [0] "IP:port" and [1] identity, and 3040 as [0] a count. A value that does not fit (no parsable address) is kept
# as text, never guessed into another field; the summary counts are kept either way.
Set-StrictMode -Version Latest

$script:LdapsAuditDirectoryEventIds = @(1220, 2886, 2887, 2888, 2889, 3039, 3040, 3041, 3074, 3075)
# Events that name one client each; their per-client tables are capped (ClientCap) so the snapshot stays bounded
# whatever the log holds: a client beyond the cap is counted in clientsDropped, never silently lost.
$script:LdapsAuditChannelBindingClientEventIds = @(3039, 3074, 3075)
$script:LdapsAuditSchannelEventIds = @(36870, 36874, 36886, 36888)

function Get-LdapsAuditEventValue {
    <# Value of the event's EventData item at a position, or $null. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Event, [Parameter(Mandatory = $true)][int]$Index)
    $p = $Event.PSObject.Properties['Properties']
    if ($null -eq $p -or $null -eq $p.Value) { return $null }
    $items = @($p.Value)
    if ($Index -ge $items.Count -or $null -eq $items[$Index]) { return $null }
    $v = $items[$Index]
    if ($null -ne $v.PSObject.Properties['Value']) { return $v.Value }
    return $v
}

function ConvertTo-LdapsAuditHexCode {
    <#
    An error code as "0x" and 8 lower-case hex digits. Numbers come from typed EventData: Get-WinEvent turns a
    win:HexInt32 field (Schannel 36870's ErrorCode) into a signed Int32, so 0x8009030D arrives as -2146893043; it is
    shown as the unsigned 32-bit value. Text ("8009030e No credentials ...", "0x8009030D", from classic events) gives
    its first 8-digit hex word; other text is returned trimmed.
    #>
    [CmdletBinding()]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [int] -or $Value -is [uint32] -or $Value -is [long] -or $Value -is [uint64] -or $Value -is [int16] -or $Value -is [uint16] -or $Value -is [byte] -or $Value -is [sbyte]) {
        $n = [decimal]$Value
        # A negative 32-bit value is the same bits as an unsigned one: -2146893043 is 0x8009030D.
        if ($n -lt 0 -and $n -ge [int]::MinValue) { $n = $n + 4294967296 }
        if ($n -ge 0 -and $n -le [uint32]::MaxValue) { return ('0x{0:x8}' -f [uint32]$n) }
        if ($n -ge 0) { return ('0x{0:x}' -f [uint64]$n) }
        return ('0x{0:x16}' -f [long]$n)
    }
    $text = ([string]$Value).Trim()
    if (-not $text) { return $null }
    $m = [regex]::Match($text, '(?i)\b(?:0x)?([0-9a-f]{8})\b')
    if ($m.Success) { return ('0x' + $m.Groups[1].Value.ToLowerInvariant()) }
    if ($text.Length -gt 64) { $text = $text.Substring(0, 64) }
    return $text
}

function Split-LdapsAuditClientAddress {
    <# 2889's "IP:port": split on the LAST colon; IPv6 arrives in brackets ("[fe80::1]:50000"). #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][string]$Address)
    $result = [ordered]@{ ip = ''; port = $null }
    if (-not $Address) { return $result }
    $text = $Address.Trim()
    $i = $text.LastIndexOf(':')
    $hostPart = $text
    if ($i -ge 0) {
        $portText = $text.Substring($i + 1)
        $port = 0
        $candidate = $text.Substring(0, $i)
        # A bare IPv6 address without a port also has colons: only split when the left part is bracketed or has no colon.
        if ([int]::TryParse($portText, [ref]$port) -and ($candidate.StartsWith('[') -or $candidate.IndexOf(':') -lt 0)) {
            $hostPart = $candidate
            $result.port = $port
        }
    }
    if ($hostPart.StartsWith('[') -and $hostPart.EndsWith(']')) { $hostPart = $hostPart.Substring(1, $hostPart.Length - 2) }
    $result.ip = $hostPart
    return $result
}

function Test-LdapsAuditClientRowRoom {
    <#
    Whether one more client row fits under ClientCap rows for Key ("<service>|<event id>"). Counts the row when it
    fits, else counts the event in Dropped, so an overflow is reported (clientsDropped), never silently lost.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$RowCounts,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$Dropped,
        [Parameter(Mandatory = $true)][string]$Key,
        [Parameter(Mandatory = $true)][int]$ClientCap
    )
    $rows = 0
    if ($RowCounts.ContainsKey($Key)) { $rows = $RowCounts[$Key] }
    if ($rows -ge $ClientCap) {
        if ($Dropped.ContainsKey($Key)) { $Dropped[$Key] = $Dropped[$Key] + 1 } else { $Dropped[$Key] = 1 }
        return $false
    }
    $RowCounts[$Key] = $rows + 1
    return $true
}

function Add-LdapsAuditChannelBindingClient {
    <#
    Fold one 3039/3074/3075 event into the per-(service, event, client, identity) table. Field positions as 2889's
    ([0] "IP:port", [1] identity): unverified, see the header. At most ClientCap rows per service and event id;
    events of a client beyond the cap are counted in Dropped ("<service>|<id>").
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Event,
        [Parameter(Mandatory = $true)][int]$Id,
        [AllowNull()][object]$Service,
        [AllowNull()][object]$Time,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$Clients,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$Dropped,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$RowCounts,
        [Parameter(Mandatory = $true)][int]$ClientCap
    )
    $address = Split-LdapsAuditClientAddress -Address ([string](Get-LdapsAuditEventValue -Event $Event -Index 0))
    $identity = [string](Get-LdapsAuditEventValue -Event $Event -Index 1)
    $ckey = [string]$Service + '|' + $Id + '|' + $address.ip + '|' + $identity.ToLowerInvariant()
    if (-not $Clients.ContainsKey($ckey)) {
        # Rows per (service, event id), counted as they are added so the cap costs nothing per event.
        if (-not (Test-LdapsAuditClientRowRoom -RowCounts $RowCounts -Dropped $Dropped -Key ([string]$Service + '|' + $Id) -ClientCap $ClientCap)) { return }
        $Clients[$ckey] = [ordered]@{ service = $Service; eventId = $Id; ip = $address.ip; port = $address.port; identity = $identity; count = 0; first = $null; last = $null }
    }
    $c = $Clients[$ckey]
    $c['count'] = $c['count'] + 1
    if ($null -ne $Time) {
        if ($null -eq $c.first -or $Time -lt $c.first) { $c.first = $Time }
        if ($null -eq $c.last -or $Time -gt $c.last) { $c.last = $Time; $c.port = $address.port }
    }
}

function Add-LdapsAuditEventAggregate {
    <# Fold one event into the per-(log, id) summaries and per-client 2889 table. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Event,
        [Parameter(Mandatory = $true)][string]$Log,
        [AllowNull()][object]$Service,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$Summaries,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$Clients,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[string]]$Order,
        [AllowEmptyCollection()][hashtable]$ChannelBindingClients = @{},
        [AllowEmptyCollection()][hashtable]$Dropped = @{},
        [AllowEmptyCollection()][hashtable]$RowCounts = @{},
        [ValidateRange(1, 100000)][int]$ClientCap = 1000
    )
    $id = [int]$Event.Id
    $time = $null
    if ($null -ne $Event.TimeCreated) { $time = ([datetime]$Event.TimeCreated).ToUniversalTime() }
    $key = $Log + '|' + $id
    if (-not $Summaries.ContainsKey($key)) {
        $Order.Add($key)
        $s = [ordered]@{ log = $Log; service = $Service; provider = $null; id = $id; count = 0; first = $null; last = $null; errorCodes = [ordered]@{} }
        if ($Event.ProviderName) { $s.provider = [string]$Event.ProviderName }
        if ($id -eq 2887) { $s.insecureSimpleBinds = 0L; $s.unsignedSaslBinds = 0L }
        if ($id -eq 3040) { $s.unprotectedBinds = 0L }
        $Summaries[$key] = $s
    }
    $s = $Summaries[$key]
    $s['count'] = $s['count'] + 1
    if ($null -ne $time) {
        if ($null -eq $s.first -or $time -lt $s.first) { $s.first = $time }
        if ($null -eq $s.last -or $time -gt $s.last) { $s.last = $time }
    }
    $code = $null
    switch ($id) {
        1220 {
            foreach ($i in 0..3) {
                $code = ConvertTo-LdapsAuditHexCode (Get-LdapsAuditEventValue -Event $Event -Index $i)
                if ($code -and $code.StartsWith('0x')) { break }
                $code = $null
            }
        }
        36870 { $code = ConvertTo-LdapsAuditHexCode (Get-LdapsAuditEventValue -Event $Event -Index 1) }
        36874 {
            # "An <protocol> connection request was received ... none of the cipher suites supported by the client
            # application are supported by the server": EventData [0] Protocol (e.g. "TLS 1.0").
            $protocol = Get-LdapsAuditEventValue -Event $Event -Index 0
            if ($null -ne $protocol -and ([string]$protocol).Trim()) { $code = 'protocol ' + ([string]$protocol).Trim() }
        }
        36888 {
            # Fatal alert sent: EventData [0] AlertDesc (TLS alert number), [1] ErrorState (Schannel's internal state).
            $alert = Get-LdapsAuditEventValue -Event $Event -Index 0
            $state = Get-LdapsAuditEventValue -Event $Event -Index 1
            if ($null -ne $alert) {
                $code = 'alert ' + ([string]$alert).Trim()
                if ($null -ne $state -and ([string]$state).Trim()) { $code = $code + ' state ' + ([string]$state).Trim() }
            }
        }
        2887 {
            $simple = ConvertTo-LdapsAuditInt (Get-LdapsAuditEventValue -Event $Event -Index 0)
            $sasl = ConvertTo-LdapsAuditInt (Get-LdapsAuditEventValue -Event $Event -Index 1)
            if ($null -ne $simple) { $s.insecureSimpleBinds = $s.insecureSimpleBinds + $simple }
            if ($null -ne $sasl) { $s.unsignedSaslBinds = $s.unsignedSaslBinds + $sasl }
        }
        2889 {
            $address = Split-LdapsAuditClientAddress -Address ([string](Get-LdapsAuditEventValue -Event $Event -Index 0))
            $identity = [string](Get-LdapsAuditEventValue -Event $Event -Index 1)
            $typeCode = ConvertTo-LdapsAuditInt (Get-LdapsAuditEventValue -Event $Event -Index 2)
            $ckey = [string]$Service + '|' + $address.ip + '|' + $identity.ToLowerInvariant() + '|' + [string]$typeCode
            if (-not $Clients.ContainsKey($ckey)) {
                # At most ClientCap rows per service, as for the channel-binding events.
                if (-not (Test-LdapsAuditClientRowRoom -RowCounts $RowCounts -Dropped $Dropped -Key ([string]$Service + '|2889') -ClientCap $ClientCap)) { return }
            }
            if (-not $Clients.ContainsKey($ckey)) {
                $bindType = 'other'
                if ($typeCode -eq 0) { $bindType = 'unsigned-sasl' } elseif ($typeCode -eq 1) { $bindType = 'simple' }
                $tc = $null
                if ($null -ne $typeCode) { $tc = [int]$typeCode }
                $Clients[$ckey] = [ordered]@{ service = $Service; ip = $address.ip; port = $address.port; identity = $identity; bindType = $bindType; bindTypeCode = $tc; count = 0; first = $null; last = $null }
            }
            $c = $Clients[$ckey]
            $c['count'] = $c['count'] + 1
            if ($null -ne $time) {
                if ($null -eq $c.first -or $time -lt $c.first) { $c.first = $time }
                # The port of the latest bind: client ports are ephemeral, so only the most recent one is kept.
                if ($null -eq $c.last -or $time -gt $c.last) { $c.last = $time; $c.port = $address.port }
            }
        }
        3040 {
            # 24-hour summary: [0] read as the number of LDAPS binds without channel-binding validation (unverified).
            $n = ConvertTo-LdapsAuditInt (Get-LdapsAuditEventValue -Event $Event -Index 0)
            if ($null -ne $n) { $s.unprotectedBinds = $s.unprotectedBinds + $n }
        }
        { $script:LdapsAuditChannelBindingClientEventIds -contains $_ } {
            Add-LdapsAuditChannelBindingClient -Event $Event -Id $id -Service $Service -Time $time -Clients $ChannelBindingClients -Dropped $Dropped -RowCounts $RowCounts -ClientCap $ClientCap
        }
    }
    if ($code) {
        if ($s.errorCodes.Contains($code)) { $s.errorCodes[$code] = $s.errorCodes[$code] + 1 } else { $s.errorCodes[$code] = 1 }
    }
}

function Get-LdapsAuditEventEvidence {
    <#
    Events in the lookback window. DirectoryLogs: @(@{ log = 'Directory Service'; service = 'NTDS' }, @{ log = 'ADAM (x)'; service = 'ADAM_x' }).
    At most MaxEvents records are read per log; when a log reaches the cap, truncated is set (counts are lower bounds).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateRange(1, 3650)][int]$LookbackDays,
        [Parameter(Mandatory = $true)][ValidateRange(1, 10000000)][int]$MaxEvents,
        [object[]]$DirectoryLogs = @(),
        [Parameter(Mandatory = $true)][datetime]$Now,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[object]]$Errors,
        [ValidateRange(1, 100000)][int]$ClientCap = 1000
    )
    $start = $Now.AddDays(-$LookbackDays)
    $logs = New-Object System.Collections.Generic.List[object]
    $summaries = @{}
    $clients = @{}
    $cbClients = @{}
    $dropped = @{}
    $rowCounts = @{}
    $order = New-Object System.Collections.Generic.List[string]
    $truncated = $false
    $queries = New-Object System.Collections.Generic.List[object]
    foreach ($d in @($DirectoryLogs)) {
        $queries.Add([ordered]@{ log = [string]$d.log; service = [string]$d.service; filter = @{ LogName = [string]$d.log; Id = $script:LdapsAuditDirectoryEventIds; StartTime = $start } })
    }
    $queries.Add([ordered]@{ log = 'System'; service = $null; filter = @{ LogName = 'System'; ProviderName = 'Schannel'; Id = $script:LdapsAuditSchannelEventIds; StartTime = $start } })
    foreach ($q in $queries) {
        $entry = [ordered]@{ log = $q.log; service = $q.service; available = $true; error = $null }
        try {
            $null = Get-WinEvent -ListLog $q.log -ErrorAction Stop
        } catch {
            $err = New-LdapsAuditError -Part ('events/' + $q.log) -ErrorRecord $_
            if ($err.code -eq 'Error') { $err.code = 'LogNotFound' }
            $entry.available = $false
            $entry.error = $err.message
            $Errors.Add($err)
            $logs.Add($entry)
            continue
        }
        $events = @()
        try {
            $events = @(Get-WinEvent -FilterHashtable $q.filter -MaxEvents $MaxEvents -ErrorAction Stop)
        } catch {
            if (-not ([string]$_.FullyQualifiedErrorId -like 'NoMatchingEventsFound*' -or [string]$_.Exception.Message -match 'No events were found')) {
                $err = New-LdapsAuditError -Part ('events/' + $q.log) -ErrorRecord $_
                $entry.available = $false
                $entry.error = $err.message
                $Errors.Add($err)
            }
        }
        if ($events.Count -ge $MaxEvents) { $truncated = $true }
        foreach ($e in $events) {
            try {
                Add-LdapsAuditEventAggregate -Event $e -Log $q.log -Service $q.service -Summaries $summaries -Clients $clients -Order $order -ChannelBindingClients $cbClients -Dropped $dropped -RowCounts $rowCounts -ClientCap $ClientCap
            } catch {
                $Errors.Add((New-LdapsAuditError -Part ('events/' + $q.log + '/' + [string]$e.Id) -ErrorRecord $_))
            }
        }
        $logs.Add($entry)
    }
    $summaryList = New-Object System.Collections.Generic.List[object]
    foreach ($k in $order) {
        $s = $summaries[$k]
        $s.first = ConvertTo-LdapsAuditIsoDate -Date $s.first
        $s.last = ConvertTo-LdapsAuditIsoDate -Date $s.last
        $summaryList.Add($s)
    }
    $clientList = New-Object System.Collections.Generic.List[object]
    foreach ($c in @($clients.Values | Sort-Object -Property @{ Expression = { $_['count'] }; Descending = $true }, @{ Expression = { $_['ip'] } })) {
        $c.first = ConvertTo-LdapsAuditIsoDate -Date $c.first
        $c.last = ConvertTo-LdapsAuditIsoDate -Date $c.last
        $clientList.Add($c)
    }
    $cbList = New-Object System.Collections.Generic.List[object]
    foreach ($c in @($cbClients.Values | Sort-Object -Property @{ Expression = { $_['count'] }; Descending = $true }, @{ Expression = { $_['ip'] } }, @{ Expression = { $_['eventId'] } })) {
        $c.first = ConvertTo-LdapsAuditIsoDate -Date $c.first
        $c.last = ConvertTo-LdapsAuditIsoDate -Date $c.last
        $cbList.Add($c)
    }
    $droppedList = New-Object System.Collections.Generic.List[object]
    foreach ($k in @($dropped.Keys | Sort-Object)) {
        $i = $k.LastIndexOf('|')
        $svc = $k.Substring(0, $i)
        if (-not $svc) { $svc = $null }
        $droppedList.Add([ordered]@{ service = $svc; eventId = [int]$k.Substring($i + 1); events = $dropped[$k] })
    }
    return [ordered]@{
        windowStart         = (ConvertTo-LdapsAuditIsoDate -Date $start)
        windowEnd           = (ConvertTo-LdapsAuditIsoDate -Date $Now)
        maxEvents           = $MaxEvents
        truncated           = $truncated
        logs                = $logs.ToArray()
        summary             = $summaryList.ToArray()
        insecureBindClients = $clientList.ToArray()
        channelBindingClients = $cbList.ToArray()
        clientCap           = $ClientCap
        clientsDropped      = $droppedList.ToArray()
    }
}
