# Fleet collection through PowerShell remoting: the collector's function files travel inside one script block.
Set-StrictMode -Version Latest

function Get-LdapsAuditDomainControllerName {
    <# DNS names of all domain controllers of the current domain (no RSAT module needed). #>
    [CmdletBinding()]
    param()
    $domain = [System.DirectoryServices.ActiveDirectory.Domain]::GetCurrentDomain()
    try {
        return , @($domain.DomainControllers | ForEach-Object { [string]$_.Name })
    } finally {
        $domain.Dispose()
    }
}

function New-LdapsAuditRemoteScriptBlock {
    <# One script block: param($OptionsJson), the function files, then the collection serialized to JSON on the remote side. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$FunctionsDirectory)
    $builder = New-Object System.Text.StringBuilder
    [void]$builder.AppendLine('param([string]$OptionsJson)')
    foreach ($name in @('Common.ps1', 'Certificates.ps1', 'HostInfo.ps1', 'Registry.ps1', 'Events.ps1', 'Clients.ps1', 'Collection.ps1')) {
        [void]$builder.AppendLine([System.IO.File]::ReadAllText((Join-Path $FunctionsDirectory $name)))
    }
    [void]$builder.AppendLine('$o = ConvertFrom-Json -InputObject $OptionsJson')
    [void]$builder.AppendLine('ConvertTo-LdapsAuditJson -InputObject (Invoke-LdapsAuditCollection -LookbackDays ([int]$o.lookbackDays) -MaxEvents ([int]$o.maxEvents) -RevocationMode ([string]$o.revocationMode))')
    return [ScriptBlock]::Create($builder.ToString())
}

function Get-LdapsAuditRemoteErrorHost {
    <# Which computer a remoting error belongs to. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord]$ErrorRecord)
    if ($null -ne $ErrorRecord.PSObject.Properties['OriginInfo'] -and $null -ne $ErrorRecord.OriginInfo -and $ErrorRecord.OriginInfo.PSComputerName) { return [string]$ErrorRecord.OriginInfo.PSComputerName }
    if ($ErrorRecord.TargetObject -is [string] -and $ErrorRecord.TargetObject) { return [string]$ErrorRecord.TargetObject }
    if ($ErrorRecord.CategoryInfo.TargetName) { return [string]$ErrorRecord.CategoryInfo.TargetName }
    return $null
}

function Invoke-LdapsAuditFleetCollection {
    <#
    Runs the collector on many hosts with Invoke-Command -ThrottleLimit. Returns one entry per host:
    @{ host; snapshotJson } or @{ host; error = CollectionError }. A failed host never stops the rest.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string[]]$ComputerName,
        [ValidateRange(1, 1000)][int]$ThrottleLimit = 16,
        [System.Management.Automation.PSCredential]$Credential,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$FunctionsDirectory,
        [ValidateRange(1, 3650)][int]$LookbackDays = 7,
        [ValidateRange(1, 10000000)][int]$MaxEvents = 5000,
        [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck'
    )
    $scriptBlock = New-LdapsAuditRemoteScriptBlock -FunctionsDirectory $FunctionsDirectory
    $optionsJson = ConvertTo-Json -Compress -InputObject ([ordered]@{ lookbackDays = $LookbackDays; maxEvents = $MaxEvents; revocationMode = $RevocationMode })
    $invokeParams = @{
        ComputerName  = $ComputerName
        ThrottleLimit = $ThrottleLimit
        ScriptBlock   = $scriptBlock
        ArgumentList  = @($optionsJson)
        ErrorAction   = 'SilentlyContinue'
        ErrorVariable = 'remoteErrors'
    }
    if ($null -ne $Credential) { $invokeParams.Credential = $Credential }
    $remoteErrors = @()
    $results = @(Invoke-Command @invokeParams)
    $byHost = [ordered]@{}
    foreach ($name in $ComputerName) { $byHost[$name.ToLowerInvariant()] = [ordered]@{ host = $name } }
    foreach ($r in $results) {
        $name = [string]$r.PSComputerName
        $key = $name.ToLowerInvariant()
        if (-not $byHost.Contains($key)) { $byHost[$key] = [ordered]@{ host = $name } }
        $byHost[$key].snapshotJson = [string]$r
    }
    foreach ($e in @($remoteErrors)) {
        # -ErrorVariable may also hold plain exceptions and errors of other hosts' inner steps: only an
        # ErrorRecord that names a requested computer decides that computer's fate.
        if (-not ($e -is [System.Management.Automation.ErrorRecord])) { continue }
        $name = Get-LdapsAuditRemoteErrorHost -ErrorRecord $e
        if (-not $name) { continue }
        $key = ([string]$name).ToLowerInvariant()
        if (-not $byHost.Contains($key)) { continue }
        if (-not $byHost[$key].Contains('snapshotJson') -and -not $byHost[$key].Contains('error')) {
            $byHost[$key].error = New-LdapsAuditError -Part 'remoting' -ErrorRecord $e
        }
    }
    $out = New-Object System.Collections.Generic.List[object]
    foreach ($entry in $byHost.Values) {
        if (-not $entry.Contains('snapshotJson') -and -not $entry.Contains('error')) {
            $entry.error = [ordered]@{ part = 'remoting'; message = 'the host returned no result'; code = 'NoResult' }
        }
        $out.Add($entry)
    }
    return , $out.ToArray()
}
