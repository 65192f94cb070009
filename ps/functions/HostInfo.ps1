# Host identity: FQDN, domain, role, Global Catalog, OS, AD LDS instances, CertSvc.
Set-StrictMode -Version Latest

function Get-LdapsAuditDnsName {
    <# DNS fully qualified host name (host name + primary DNS suffix, like GetComputerNameEx ComputerNameDnsFullyQualified). #>
    [CmdletBinding()]
    param()
    $props = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()
    $hostName = [string]$props.HostName
    $suffix = [string]$props.DomainName
    if ($suffix -and $suffix -ne '(none)') { return ($hostName + '.' + $suffix.TrimEnd('.')) }
    $entry = [System.Net.Dns]::GetHostEntry($hostName)
    return [string]$entry.HostName
}

function Get-LdapsAuditRootDse {
    <# rootDSE of the local directory (isGlobalCatalogReady, rootDomainNamingContext); $null when unreachable. #>
    [CmdletBinding()]
    param()
    $entry = New-Object System.DirectoryServices.DirectoryEntry('LDAP://localhost/RootDSE')
    try {
        return [ordered]@{
            isGlobalCatalogReady    = ([string]$entry.Properties['isGlobalCatalogReady'].Value -eq 'TRUE')
            rootDomainNamingContext = [string]$entry.Properties['rootDomainNamingContext'].Value
            dnsHostName             = [string]$entry.Properties['dnsHostName'].Value
        }
    } finally {
        $entry.Dispose()
    }
}

function ConvertFrom-LdapsAuditDn {
    [CmdletBinding()]
    param([AllowEmptyString()][string]$DistinguishedName)
    if (-not $DistinguishedName) { return $null }
    $labels = @($DistinguishedName -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ -match '^DC=' } | ForEach-Object { $_.Substring(3) })
    if ($labels.Count -eq 0) { return $null }
    return ($labels -join '.')
}

function Get-LdapsAuditAdldsInstance {
    <# AD LDS instances: services ADAM_<name>, their logon account and ports. #>
    [CmdletBinding()]
    param([System.Collections.Generic.List[object]]$Errors)
    $list = New-Object System.Collections.Generic.List[object]
    $services = @(Get-CimInstance -ClassName Win32_Service -ErrorAction Stop | Where-Object { ([string]$_.Name) -like 'ADAM_*' })
    foreach ($s in $services) {
        $serviceName = [string]$s.Name
        $instance = [ordered]@{
            name              = $serviceName.Substring(5)
            serviceName       = $serviceName
            serviceAccount    = $null
            serviceAccountSid = $null
            ldapPort          = $null
            sslPort           = $null
            state             = $null
        }
        if ($s.StartName) {
            $instance.serviceAccount = [string]$s.StartName
            $instance.serviceAccountSid = Resolve-LdapsAuditSid -Account ([string]$s.StartName)
        }
        if ($s.State) { $instance.state = [string]$s.State }
        try {
            $params = 'HKLM:\SYSTEM\CurrentControlSet\Services\' + $serviceName + '\Parameters'
            $instance.ldapPort = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $params -Name 'Port LDAP')
            $instance.sslPort = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $params -Name 'Port SSL')
        } catch {
            if ($null -ne $Errors) { $Errors.Add((New-LdapsAuditError -Part ('host/adlds/' + $serviceName + '/ports') -ErrorRecord $_)) }
        }
        $list.Add($instance)
    }
    return , $list.ToArray()
}

function Get-LdapsAuditHostInfo {
    <# The snapshot's host object. Each part is tried on its own; failures land in $Errors. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[object]]$Errors)
    $h = [ordered]@{
        fqdn               = $null
        computerName       = [string][Environment]::MachineName
        domain             = $null
        forest             = $null
        domainRole         = $null
        isDomainController = $null
        isGlobalCatalog    = $null
        osVersion          = $null
        osCaption          = $null
        certSvcInstalled   = $null
        adldsInstances     = @()
    }
    try {
        $h.fqdn = Get-LdapsAuditDnsName
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'host/fqdn' -ErrorRecord $_))
    }
    if (-not $h.fqdn) { $h.fqdn = $h.computerName }
    try {
        $cs = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop
        if ($cs.Domain) { $h.domain = [string]$cs.Domain }
        if ($null -ne $cs.DomainRole) {
            $h.domainRole = [int]$cs.DomainRole
            $h.isDomainController = ($h.domainRole -ge 4)
        }
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'host/computerSystem' -ErrorRecord $_))
    }
    try {
        $os = Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop
        if ($os.Version) { $h.osVersion = [string]$os.Version }
        if ($os.Caption) { $h.osCaption = ([string]$os.Caption).Trim() }
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'host/operatingSystem' -ErrorRecord $_))
    }
    if ($h.isDomainController -eq $true) {
        try {
            $dse = Get-LdapsAuditRootDse
            if ($null -ne $dse) {
                $h.isGlobalCatalog = [bool]$dse.isGlobalCatalogReady
                $h.forest = ConvertFrom-LdapsAuditDn -DistinguishedName ([string]$dse.rootDomainNamingContext)
            }
        } catch {
            $Errors.Add((New-LdapsAuditError -Part 'host/rootDSE' -ErrorRecord $_))
        }
    } elseif ($h.isDomainController -eq $false) {
        $h.isGlobalCatalog = $false
    }
    try {
        $svc = @(Get-Service -Name 'CertSvc' -ErrorAction SilentlyContinue)
        $h.certSvcInstalled = ($svc.Count -gt 0)
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'host/certSvc' -ErrorRecord $_))
    }
    try {
        $h.adldsInstances = Get-LdapsAuditAdldsInstance -Errors $Errors
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'host/adlds' -ErrorRecord $_))
    }
    return $h
}
