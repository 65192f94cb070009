# Client evidence: which computers try LDAPS on this host (636, 3269, the AD LDS instances' SSL ports). Event 1220
# names no client; this is the seed's other way out ("identify the client computers that are attempting to make
# such connections"). Sources: the TCP connection table (Get-NetTCPConnection, a point in time), the Windows Firewall
# log (pfirewall.log, streamed line by line, never loaded whole) and a bounded reverse-DNS pass over the addresses
# found (plus the 2889 clients the event part already aggregated). Aggregated here; only reads.
# Windows PowerShell 5.1 and PowerShell 7 compatible.
Set-StrictMode -Version Latest

# Column order of pfirewall.log when the file has no "#Fields:" header (Windows writes this one).
$script:LdapsAuditFirewallDefaultFields = @('date', 'time', 'action', 'protocol', 'src-ip', 'dst-ip', 'src-port', 'dst-port', 'size', 'tcpflags', 'tcpsyn', 'tcpack', 'tcpwin', 'icmptype', 'icmpcode', 'info', 'path')

function Get-LdapsAuditClientPort {
    <# The LDAPS ports of this host's directory services: 636 and 3269 for AD DS, each AD LDS instance's SSL port. #>
    [CmdletBinding()]
    param([bool]$IncludeNtds = $true, [object[]]$AdldsInstances = @())
    $ports = New-Object System.Collections.Generic.List[int]
    if ($IncludeNtds) { $ports.Add(636); $ports.Add(3269) }
    foreach ($i in @($AdldsInstances)) {
        if ($null -eq $i) { continue }
        $p = $null
        if ($i -is [System.Collections.IDictionary]) { if ($i.Contains('sslPort')) { $p = $i['sslPort'] } } elseif ($null -ne $i.PSObject.Properties['sslPort']) { $p = $i.sslPort }
        $n = ConvertTo-LdapsAuditInt $p
        if ($null -ne $n -and $n -gt 0 -and $n -lt 65536 -and -not $ports.Contains([int]$n)) { $ports.Add([int]$n) }
    }
    return , $ports.ToArray()
}

function ConvertTo-LdapsAuditClientAddress {
    <# "::ffff:10.0.0.5" -> "10.0.0.5" (IPv4-mapped IPv6, as dual-stack sockets report IPv4 peers); others unchanged. #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][string]$Address)
    if (-not $Address) { return '' }
    $a = $Address.Trim()
    if ($a.StartsWith('::ffff:', [System.StringComparison]::OrdinalIgnoreCase) -and $a.IndexOf('.') -gt 0) { return $a.Substring(7) }
    return $a
}

function Get-LdapsAuditTcpConnectionEvidence {
    <#
    Current TCP connections to the LDAPS ports (Established, SynReceived = half-open attempts, TimeWait, ...), aggregated
    per remote address, local port and state; listeners are left out. At most MaxEntries aggregates (truncated is set).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][int[]]$Ports,
        [ValidateRange(1, 100000)][int]$MaxEntries = 200
    )
    $rows = @()
    try {
        $rows = @(Get-NetTCPConnection -LocalPort $Ports -ErrorAction Stop)
    } catch {
        # No connection on these ports is an error record on Windows ("No matching MSFT_NetTCPConnection objects").
        if ([string]$_.FullyQualifiedErrorId -match 'NotFound' -or [string]$_.CategoryInfo.Category -eq 'ObjectNotFound') { $rows = @() } else { throw }
    }
    $agg = @{}
    $order = New-Object System.Collections.Generic.List[string]
    $total = 0
    $dropped = 0
    foreach ($c in $rows) {
        $state = [string]$c.State
        if ($state -eq 'Listen' -or $state -eq 'Bound') { continue }
        $remote = ConvertTo-LdapsAuditClientAddress -Address ([string]$c.RemoteAddress)
        if (-not $remote -or $remote -eq '0.0.0.0' -or $remote -eq '::') { continue }
        $localPort = [int]$c.LocalPort
        if (@($Ports) -notcontains $localPort) { continue }
        $total++
        $key = $remote + '|' + $localPort + '|' + $state
        if (-not $agg.ContainsKey($key)) {
            if ($agg.Count -ge $MaxEntries) { $dropped++; continue }
            $order.Add($key)
            $agg[$key] = [ordered]@{ remoteAddress = $remote; localPort = $localPort; state = $state; count = 0; owningProcesses = (New-Object System.Collections.Generic.List[int]) }
        }
        $a = $agg[$key]
        $a['count'] = $a['count'] + 1
        $owner = ConvertTo-LdapsAuditInt $c.OwningProcess
        if ($null -ne $owner -and -not $a.owningProcesses.Contains([int]$owner) -and $a.owningProcesses.Count -lt 8) { $a.owningProcesses.Add([int]$owner) }
    }
    $entries = New-Object System.Collections.Generic.List[object]
    foreach ($k in $order) {
        $a = $agg[$k]
        $a.owningProcesses = $a.owningProcesses.ToArray()
        $entries.Add($a)
    }
    $sorted = @($entries | Sort-Object -Property @{ Expression = { $_['count'] }; Descending = $true }, @{ Expression = { $_['remoteAddress'] } }, @{ Expression = { $_['localPort'] } })
    return [ordered]@{ available = $true; error = $null; total = $total; truncated = ($dropped -gt 0); entries = $sorted }
}

function Expand-LdapsAuditEnvironmentPath {
    <# %systemroot%\system32\LogFiles\Firewall\pfirewall.log -> C:\Windows\...; variable names match case-insensitively. #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][string]$Path)
    if (-not $Path) { return $Path }
    $vars = [Environment]::GetEnvironmentVariables()
    $evaluator = {
        param($m)
        $name = $m.Groups[1].Value
        foreach ($k in $vars.Keys) {
            if ([string]::Equals([string]$k, $name, [System.StringComparison]::OrdinalIgnoreCase)) { return [string]$vars[$k] }
        }
        return $m.Value
    }
    return [regex]::Replace($Path.Trim().Trim('"'), '%([^%]+)%', [System.Text.RegularExpressions.MatchEvaluator]$evaluator)
}

function Test-LdapsAuditGpoTrue {
    <# GpoBoolean (True/False/NotConfigured), bool or number -> $true only for an explicit true. #>
    [CmdletBinding()]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $false }
    if ($Value -is [bool]) { return $Value }
    $t = ([string]$Value).Trim()
    return ($t -eq 'True' -or $t -eq '1')
}

function Get-LdapsAuditFirewallLogSetting {
    <# Effective (ActiveStore) logging settings of the firewall profiles, with the log file names expanded. #>
    [CmdletBinding()]
    param()
    $profiles = New-Object System.Collections.Generic.List[object]
    foreach ($p in @(Get-NetFirewallProfile -PolicyStore ActiveStore -ErrorAction Stop)) {
        $profiles.Add([ordered]@{
                name        = [string]$p.Name
                enabled     = (Test-LdapsAuditGpoTrue $p.Enabled)
                logAllowed  = (Test-LdapsAuditGpoTrue $p.LogAllowed)
                logBlocked  = (Test-LdapsAuditGpoTrue $p.LogBlocked)
                logFileName = (Expand-LdapsAuditEnvironmentPath -Path ([string]$p.LogFileName))
            })
    }
    return , $profiles.ToArray()
}

function Read-LdapsAuditFirewallLog {
    <#
    Streams one pfirewall.log with a StreamReader (ReadLine; the file is never loaded whole, and it is opened with
    FileShare.ReadWrite because the firewall service keeps writing it). The W3C-style header (#Fields:) names the
    columns; #Time Format says Local or UTC. Inbound rows (path RECEIVE or no path column) whose dst-port is one of
    Ports and whose time is not before Start are folded per source IP into Sources: count, ALLOW/DROP, per port,
    first/last. At most MaxSources distinct sources are tracked (bounded memory); rows of later ones only count.
    Returns the file's statistics.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Path,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][int[]]$Ports,
        [Parameter(Mandatory = $true)][datetime]$Start,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$Sources,
        [ValidateRange(1, 10000000)][int]$MaxSources = 10000
    )
    $stats = [ordered]@{ path = $Path; available = $true; error = $null; bytes = 0L; lines = 0L; matched = 0L; outsideWindow = 0L; outbound = 0L; malformed = 0L; untracked = 0L; timeFormat = 'Local'; headerFound = $false }
    $portSet = @{}
    $alternatives = New-Object System.Collections.Generic.List[string]
    foreach ($p in $Ports) { $portSet[[string]$p] = [int]$p; $alternatives.Add([string]$p) }
    # Cheap pre-filter: a row can only matter when one of the port numbers stands alone between spaces.
    $needle = New-Object System.Text.RegularExpressions.Regex((' (?:' + ($alternatives -join '|') + ') '), [System.Text.RegularExpressions.RegexOptions]::Compiled)
    $fields = $script:LdapsAuditFirewallDefaultFields
    $iDate = 0; $iTime = 1; $iAction = 2; $iSrc = 4; $iDstPort = 7; $iPath = 16; $iMax = 7
    $startLocal = $Start.ToLocalTime().ToString('yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture)
    $startUtc = $Start.ToUniversalTime().ToString('yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture)
    $startText = $startLocal
    $nLines = 0L; $nMatched = 0L; $nOutside = 0L; $nOutbound = 0L; $nMalformed = 0L; $nUntracked = 0L
    $stream = New-Object System.IO.FileStream($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, ([System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete), 65536)
    try {
        $stats.bytes = [long]$stream.Length
        $reader = New-Object System.IO.StreamReader($stream, (New-Object System.Text.UTF8Encoding($false)), $true, 65536)
        try {
            $line = $reader.ReadLine()
            while ($null -ne $line) {
                $nLines++
                if ($line.Length -eq 0) {
                    # blank line
                } elseif ($line[0] -eq '#') {
                    if ($line.StartsWith('#Fields:', [System.StringComparison]::OrdinalIgnoreCase)) {
                        $fields = @($line.Substring(8).Trim().Split(' ') | Where-Object { $_ })
                        $iDate = [array]::IndexOf($fields, 'date'); $iTime = [array]::IndexOf($fields, 'time'); $iAction = [array]::IndexOf($fields, 'action')
                        $iSrc = [array]::IndexOf($fields, 'src-ip'); $iDstPort = [array]::IndexOf($fields, 'dst-port'); $iPath = [array]::IndexOf($fields, 'path')
                        if ($iDate -lt 0 -or $iTime -lt 0 -or $iSrc -lt 0 -or $iDstPort -lt 0) { throw (New-Object System.IO.InvalidDataException("the #Fields header of $Path lacks date, time, src-ip or dst-port")) }
                        $iMax = [Math]::Max([Math]::Max($iDate, $iTime), [Math]::Max($iSrc, $iDstPort))
                        if ($iAction -gt $iMax) { $iMax = $iAction }
                        $stats.headerFound = $true
                    } elseif ($line.StartsWith('#Time Format:', [System.StringComparison]::OrdinalIgnoreCase)) {
                        if ($line.IndexOf('UTC', [System.StringComparison]::OrdinalIgnoreCase) -ge 0) { $stats.timeFormat = 'UTC'; $startText = $startUtc } else { $stats.timeFormat = 'Local'; $startText = $startLocal }
                    }
                } elseif ($needle.IsMatch($line)) {
                    $f = $line.Split(' ')
                    if ($f.Length -le $iMax) {
                        $nMalformed++
                    } elseif ($portSet.ContainsKey($f[$iDstPort])) {
                        $stamp = $f[$iDate] + ' ' + $f[$iTime]
                        if ($stamp.Length -ne 19) {
                            $nMalformed++
                        } elseif ($iPath -ge 0 -and $iPath -lt $f.Length -and $f[$iPath] -eq 'SEND') {
                            $nOutbound++
                        } elseif ([string]::CompareOrdinal($stamp, $startText) -lt 0) {
                            $nOutside++
                        } else {
                            $nMatched++
                            $ip = $f[$iSrc]
                            $s = $Sources[$ip]
                            if ($null -eq $s) {
                                if ($Sources.Count -ge $MaxSources) { $nUntracked++ } else {
                                    $s = @{ ip = $ip; count = 0L; allow = 0L; drop = 0L; other = 0L; ports = @{}; first = $stamp; last = $stamp; utc = ($stats.timeFormat -eq 'UTC') }
                                    $Sources[$ip] = $s
                                }
                            }
                            if ($null -ne $s) {
                                $s.count++
                                $action = ''
                                if ($iAction -ge 0) { $action = $f[$iAction] }
                                if ($action -eq 'ALLOW') { $s.allow++ } elseif ($action -eq 'DROP') { $s.drop++ } else { $s.other++ }
                                $port = $f[$iDstPort]
                                if ($s.ports.ContainsKey($port)) { $s.ports[$port] = $s.ports[$port] + 1 } else { $s.ports[$port] = 1 }
                                if ([string]::CompareOrdinal($stamp, $s.first) -lt 0) { $s.first = $stamp }
                                if ([string]::CompareOrdinal($stamp, $s.last) -gt 0) { $s.last = $stamp }
                            }
                        }
                    }
                }
                $line = $reader.ReadLine()
            }
        } finally {
            $reader.Dispose()
        }
    } finally {
        $stream.Dispose()
    }
    $stats.lines = $nLines; $stats.matched = $nMatched; $stats.outsideWindow = $nOutside; $stats.outbound = $nOutbound
    $stats.malformed = $nMalformed; $stats.untracked = $nUntracked
    return $stats
}

function ConvertFrom-LdapsAuditFirewallStamp {
    <# "2026-03-09 10:15:02" in local time (or UTC) -> ISO 8601 UTC; $null when unparsable. #>
    [CmdletBinding()]
    param([AllowNull()][string]$Stamp, [bool]$Utc)
    if (-not $Stamp) { return $null }
    $style = [System.Globalization.DateTimeStyles]::AssumeLocal
    if ($Utc) { $style = [System.Globalization.DateTimeStyles]::AssumeUniversal }
    $d = [datetime]::MinValue
    if ([datetime]::TryParseExact($Stamp, 'yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture, $style, [ref]$d)) { return (ConvertTo-LdapsAuditIsoDate -Date $d) }
    return $null
}

function Get-LdapsAuditFirewallLogEvidence {
    <#
    Firewall logging settings, then each distinct log file of the enabled profiles that log (and its rotated .old
    sibling) streamed for the LDAPS ports in the window. Sources are reported per IP, the MaxClients busiest.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][int[]]$Ports,
        [Parameter(Mandatory = $true)][datetime]$Start,
        [ValidateRange(1, 100000)][int]$MaxClients = 200,
        [ValidateRange(1, 10000000)][int]$MaxSources = 10000,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[object]]$Errors
    )
    $profiles = Get-LdapsAuditFirewallLogSetting
    $logging = @($profiles | Where-Object { $_.enabled -and ($_.logAllowed -or $_.logBlocked) })
    $out = [ordered]@{
        enabled     = ($logging.Count -gt 0)
        logAllowed  = (@($logging | Where-Object { $_.logAllowed }).Count -gt 0)
        logBlocked  = (@($logging | Where-Object { $_.logBlocked }).Count -gt 0)
        profiles    = $profiles
        path        = $null
        available   = $false
        error       = $null
        files       = @()
        truncated   = $false
        sourcesTotal = 0
        sources     = @()
    }
    if (-not $out.enabled) { return $out }
    $paths = New-Object System.Collections.Generic.List[string]
    foreach ($p in $logging) {
        $name = [string]$p.logFileName
        if ($name -and -not ($paths -contains $name)) { $paths.Add($name) }
    }
    if ($paths.Count -gt 0) { $out.path = $paths[0] }
    $sources = @{}
    $files = New-Object System.Collections.Generic.List[object]
    foreach ($path in $paths) {
        # The rotated file holds the older entries: read it first when it exists.
        foreach ($candidate in @(($path + '.old'), $path)) {
            $isOld = $candidate.EndsWith('.old')
            if ($isOld -and -not [System.IO.File]::Exists($candidate)) { continue }
            try {
                $files.Add((Read-LdapsAuditFirewallLog -Path $candidate -Ports $Ports -Start $Start -Sources $sources -MaxSources $MaxSources))
            } catch {
                $err = New-LdapsAuditError -Part ('clients/firewallLog/' + $candidate) -ErrorRecord $_
                if ($err.code -eq 'Error' -and ($_.Exception -is [System.IO.FileNotFoundException] -or $_.Exception.InnerException -is [System.IO.FileNotFoundException] -or $_.Exception.InnerException -is [System.IO.DirectoryNotFoundException])) { $err.code = 'NotFound' }
                $Errors.Add($err)
                $files.Add([ordered]@{ path = $candidate; available = $false; error = $err.message })
            }
        }
    }
    $out.files = $files.ToArray()
    $read = @($files | Where-Object { $_.available })
    $out.available = ($read.Count -gt 0)
    if (-not $out.available -and $files.Count -gt 0) { $out.error = [string]$files[0].error }
    $untracked = 0L
    foreach ($f in $read) { $untracked += [long]$f.untracked }
    $all = @($sources.Values | Sort-Object -Property @{ Expression = { $_.count }; Descending = $true }, @{ Expression = { $_.ip } })
    $out.sourcesTotal = $all.Count
    $out.truncated = ($all.Count -gt $MaxClients -or $untracked -gt 0)
    $list = New-Object System.Collections.Generic.List[object]
    foreach ($s in @($all | Select-Object -First $MaxClients)) {
        $portCounts = [ordered]@{}
        foreach ($k in @($s.ports.Keys | Sort-Object)) { $portCounts[[string]$k] = [long]$s.ports[$k] }
        $list.Add([ordered]@{
                ip    = [string]$s.ip
                count = [long]$s.count
                allow = [long]$s.allow
                drop  = [long]$s.drop
                ports = $portCounts
                first = (ConvertFrom-LdapsAuditFirewallStamp -Stamp $s.first -Utc $s.utc)
                last  = (ConvertFrom-LdapsAuditFirewallStamp -Stamp $s.last -Utc $s.utc)
            })
    }
    $out.sources = $list.ToArray()
    return $out
}

function Get-LdapsAuditHostEntryName {
    <# One reverse (PTR) lookup, waiting at most TimeoutMs; $null when the address has no name. Test seam. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Address, [ValidateRange(1, 60000)][int]$TimeoutMs = 1000)
    $task = [System.Net.Dns]::GetHostEntryAsync($Address)
    $done = $false
    try {
        $done = $task.Wait($TimeoutMs)
    } catch {
        $inner = $_.Exception
        while ($null -ne $inner.InnerException) { $inner = $inner.InnerException }
        if ($inner -is [System.Net.Sockets.SocketException]) { return $null }
        throw
    }
    if (-not $done) { throw (New-Object System.TimeoutException("reverse lookup of $Address timed out after $TimeoutMs ms")) }
    $name = [string]$task.Result.HostName
    if (-not $name -or $name -eq $Address) { return $null }
    return $name
}

function Resolve-LdapsAuditClientName {
    <#
    Reverse DNS for the client addresses, bounded: TimeoutMs per lookup, MaxLookups addresses, TotalMs for all of them.
    Returns @{ names = @({ ip, name, error }); skipped = <addresses not looked up> }.
    #>
    [CmdletBinding()]
    param(
        [AllowEmptyCollection()][string[]]$Addresses = @(),
        [ValidateRange(1, 60000)][int]$TimeoutMs = 1000,
        [ValidateRange(0, 100000)][int]$MaxLookups = 50,
        [ValidateRange(1, 3600000)][int]$TotalMs = 15000
    )
    $names = New-Object System.Collections.Generic.List[object]
    $seen = @{}
    $skipped = 0
    $started = Get-LdapsAuditMonotonicMs
    foreach ($a in @($Addresses)) {
        if (-not $a -or $seen.ContainsKey($a)) { continue }
        $seen[$a] = $true
        $elapsed = (Get-LdapsAuditMonotonicMs) - $started
        if ($names.Count -ge $MaxLookups -or $elapsed -ge $TotalMs) { $skipped++; continue }
        $remaining = [int][Math]::Max(1, [Math]::Min([long]$TimeoutMs, [long]$TotalMs - $elapsed))
        $entry = [ordered]@{ ip = $a; name = $null; error = $null }
        try {
            $entry.name = Get-LdapsAuditHostEntryName -Address $a -TimeoutMs $remaining
        } catch {
            $entry.error = [string]$_.Exception.Message
        }
        $names.Add($entry)
    }
    return [ordered]@{ names = $names.ToArray(); skipped = $skipped }
}

function Get-LdapsAuditClientEvidence {
    <#
    The snapshot's clients object: LDAPS ports, the connection table, the firewall log and reverse DNS for the
    addresses found there and in 2889 (KnownAddresses). Each part has its own try/catch; a failing part is recorded
    in Errors and in the part's own available/error fields, and the others still complete.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][int[]]$Ports,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3650)][int]$LookbackDays,
        [Parameter(Mandatory = $true)][datetime]$Now,
        [AllowEmptyCollection()][string[]]$KnownAddresses = @(),
        [ValidateRange(1, 100000)][int]$MaxClients = 200,
        [ValidateRange(1, 60000)][int]$DnsTimeoutMs = 1000,
        [ValidateRange(0, 100000)][int]$MaxDnsLookups = 50,
        [ValidateRange(1, 3600000)][int]$DnsTotalMs = 15000,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[object]]$Errors
    )
    $start = $Now.AddDays(-$LookbackDays)
    $out = [ordered]@{
        ports          = @($Ports)
        windowStart    = (ConvertTo-LdapsAuditIsoDate -Date $start)
        windowEnd      = (ConvertTo-LdapsAuditIsoDate -Date $Now)
        connections    = [ordered]@{ available = $false; error = $null; total = 0; truncated = $false; entries = @() }
        firewallLog    = [ordered]@{ enabled = $null; available = $false; error = $null; path = $null; sources = @() }
        names          = @()
        namesTruncated = $false
    }
    try {
        $out.connections = Get-LdapsAuditTcpConnectionEvidence -Ports $Ports -MaxEntries $MaxClients
    } catch {
        $err = New-LdapsAuditError -Part 'clients/connections' -ErrorRecord $_
        $Errors.Add($err)
        $out.connections.error = $err.message
    }
    try {
        $out.firewallLog = Get-LdapsAuditFirewallLogEvidence -Ports $Ports -Start $start -MaxClients $MaxClients -Errors $Errors
    } catch {
        $err = New-LdapsAuditError -Part 'clients/firewallLog' -ErrorRecord $_
        $Errors.Add($err)
        $out.firewallLog.error = $err.message
    }
    try {
        $addresses = New-Object System.Collections.Generic.List[string]
        foreach ($s in @($out.firewallLog.sources)) { $addresses.Add([string]$s.ip) }
        foreach ($c in @($out.connections.entries)) { $addresses.Add([string]$c.remoteAddress) }
        foreach ($a in @($KnownAddresses)) { if ($a) { $addresses.Add([string]$a) } }
        $resolved = Resolve-LdapsAuditClientName -Addresses $addresses.ToArray() -TimeoutMs $DnsTimeoutMs -MaxLookups $MaxDnsLookups -TotalMs $DnsTotalMs
        $out.names = $resolved.names
        $out.namesTruncated = ($resolved.skipped -gt 0)
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'clients/dns' -ErrorRecord $_))
    }
    return $out
}
