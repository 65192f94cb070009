# Shared helpers for the ldaps-audit collector: structured errors, dates, registry access, SIDs.
# Windows PowerShell 5.1 and PowerShell 7 compatible. No verdicts here: the collector only gathers.
Set-StrictMode -Version Latest

function New-LdapsAuditError {
    <# Turns an ErrorRecord (or exception) into the snapshot's CollectionError shape. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Part,
        [Parameter(Mandatory = $true)][AllowNull()][object]$ErrorRecord,
        [string]$Code
    )
    $exception = $null
    $fqid = ''
    if ($ErrorRecord -is [System.Management.Automation.ErrorRecord]) {
        $exception = $ErrorRecord.Exception
        $fqid = [string]$ErrorRecord.FullyQualifiedErrorId
    } elseif ($ErrorRecord -is [System.Exception]) {
        $exception = $ErrorRecord
    }
    $message = ''
    $typeName = ''
    if ($null -ne $exception) {
        $message = [string]$exception.Message
        $typeName = $exception.GetType().FullName
        # Unwrap "Exception calling X with N argument(s)" wrappers to the real cause.
        $inner = $exception
        while ($null -ne $inner.InnerException -and $inner -is [System.Management.Automation.MethodInvocationException]) {
            $inner = $inner.InnerException
        }
        if (-not [object]::ReferenceEquals($inner, $exception)) { $typeName = $inner.GetType().FullName }
    } elseif ($null -ne $ErrorRecord) {
        $message = [string]$ErrorRecord
    }
    if (-not $Code) { $Code = Get-LdapsAuditErrorCode -TypeName $typeName -Message $message -FullyQualifiedErrorId $fqid }
    $out = [ordered]@{ part = $Part; message = $message; code = $Code }
    if ($typeName) { $out.exceptionType = $typeName }
    return $out
}

function Get-LdapsAuditErrorCode {
    <# Short machine-readable cause from an exception type, message and error id. #>
    [CmdletBinding()]
    param([string]$TypeName, [string]$Message, [string]$FullyQualifiedErrorId)
    if ($TypeName -match 'UnauthorizedAccess|SecurityException|PrivilegeNotHeld' -or $Message -match 'denied' -or $FullyQualifiedErrorId -match 'UnauthorizedAccess|AccessDenied') { return 'AccessDenied' }
    if ($FullyQualifiedErrorId -match 'NoMatchingLogsFound' -or $TypeName -match 'EventLogNotFound') { return 'LogNotFound' }
    if ($TypeName -match 'ItemNotFound' -or $FullyQualifiedErrorId -match 'PathNotFound') { return 'NotFound' }
    if ($TypeName -match 'PlatformNotSupported|CommandNotFound|DriveNotFound') { return 'NotSupported' }
    if ($TypeName -match 'Timeout' -or $Message -match 'timed out') { return 'Timeout' }
    if ($TypeName -match 'PSRemotingTransport' -or $Message -match 'RPC server is unavailable|cannot connect|WinRM') { return 'Unreachable' }
    return 'Error'
}

function ConvertTo-LdapsAuditIsoDate {
    <# ISO 8601 UTC text (ConvertTo-Json on 5.1 would write "\/Date(...)\/"). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][AllowNull()][object]$Date)
    if ($null -eq $Date) { return $null }
    $d = [datetime]$Date
    return $d.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture)
}

function Get-LdapsAuditRegistryValue {
    <# One registry value, or $null when the key or the value does not exist. Access denied throws. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Path,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Name
    )
    try {
        $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction Stop
    } catch [System.Management.Automation.ItemNotFoundException] {
        return $null
    } catch [System.Management.Automation.PSArgumentException] {
        return $null
    } catch {
        if ($_.FullyQualifiedErrorId -match 'PathNotFound|System.Management.Automation.PSArgumentException') { return $null }
        throw
    }
    if ($null -eq $item) { return $null }
    $prop = $item.PSObject.Properties[$Name]
    if ($null -eq $prop) { return $null }
    return , $prop.Value
}

function Get-LdapsAuditRegistrySubkeyName {
    <# Names of the subkeys of a registry key; empty when the key does not exist. Access denied throws. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Path)
    $names = New-Object System.Collections.Generic.List[string]
    try {
        $items = @(Get-ChildItem -LiteralPath $Path -ErrorAction Stop)
    } catch [System.Management.Automation.ItemNotFoundException] {
        return , $names.ToArray()
    } catch {
        if ($_.FullyQualifiedErrorId -match 'PathNotFound') { return , $names.ToArray() }
        throw
    }
    foreach ($i in $items) { $names.Add([string]$i.PSChildName) }
    return , $names.ToArray()
}

function ConvertTo-LdapsAuditInt {
    [CmdletBinding()]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $null }
    $n = 0L
    if ([long]::TryParse(([string]$Value).Trim(), [ref]$n)) { return $n }
    return $null
}

$script:LdapsAuditWellKnownSids = @{
    'nt authority\system'              = 'S-1-5-18'
    'localsystem'                      = 'S-1-5-18'
    'nt authority\local service'       = 'S-1-5-19'
    'nt authority\localservice'        = 'S-1-5-19'
    'nt authority\network service'     = 'S-1-5-20'
    'nt authority\networkservice'      = 'S-1-5-20'
    'builtin\administrators'           = 'S-1-5-32-544'
    'builtin\users'                    = 'S-1-5-32-545'
    'everyone'                         = 'S-1-1-0'
    'nt authority\authenticated users' = 'S-1-5-11'
    'creator owner'                    = 'S-1-3-0'
}

function Resolve-LdapsAuditSid {
    <# SID text for an account name (NTAccount.Translate, then a table of well-known names); $null when unknown. #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][string]$Account)
    if (-not $Account) { return $null }
    if ($Account -match '^S-1-[0-9-]+$') { return $Account }
    try {
        $sid = (New-Object System.Security.Principal.NTAccount($Account)).Translate([System.Security.Principal.SecurityIdentifier])
        return [string]$sid.Value
    } catch {
        $key = $Account.ToLowerInvariant()
        if ($script:LdapsAuditWellKnownSids.ContainsKey($key)) { return $script:LdapsAuditWellKnownSids[$key] }
        return $null
    }
}

function Write-LdapsAuditMarker {
    # One "LDAPS-AUDIT-<Kind>:<base64 of UTF-8 JSON>" line: proof against the console code page.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Kind, [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Json)
    [Console]::Out.WriteLine('LDAPS-AUDIT-' + $Kind + ':' + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Json)))
}

function Get-LdapsAuditMonotonicMs {
    <#
    Milliseconds on a monotonic clock (the Stopwatch's). Budgets in the collector read time only through this
    function, so a test can drive the clock by defining a function of the same name instead of sleeping.
    #>
    [CmdletBinding()]
    [OutputType([long])]
    param()
    return [long][Math]::Floor([double][System.Diagnostics.Stopwatch]::GetTimestamp() * 1000.0 / [double][System.Diagnostics.Stopwatch]::Frequency)
}
