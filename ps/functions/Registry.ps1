# LDAP policy registry values (signing, channel binding, diagnostics) per NTDS and AD LDS instance; Schannel logging
# and the Schannel TLS surface (protocols, ciphers, hashes, key exchanges, the cipher-suite order policy).
Set-StrictMode -Version Latest

function Get-LdapsAuditLdapPolicy {
    <# NTDS or ADAM_<instance>: Parameters\LDAPServerIntegrity, LDAPServerEnforceIntegrity, LdapEnforceChannelBinding; Diagnostics\16 LDAP Interface Events. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][ValidatePattern('^(NTDS|ADAM_[^\\/]+)$')][string]$ServiceName)
    $root = 'HKLM:\SYSTEM\CurrentControlSet\Services\' + $ServiceName
    $params = $root + '\Parameters'
    return [ordered]@{
        LDAPServerIntegrity        = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $params -Name 'LDAPServerIntegrity')
        LDAPServerEnforceIntegrity = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $params -Name 'LDAPServerEnforceIntegrity')
        LdapEnforceChannelBinding  = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $params -Name 'LdapEnforceChannelBinding')
        ldapInterfaceEventsLevel   = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path ($root + '\Diagnostics') -Name '16 LDAP Interface Events')
    }
}

function Get-LdapsAuditRegistrySwitch {
    <#
    One value of every subkey of a key, by subkey name: @{ 'RC4 128/128' = @{ Enabled = 0 } }. Read through the
    RegistryKey objects Get-ChildItem returns, not by path: Schannel's cipher keys have '/' in their names
    ("RC4 128/128", "AES 128/128"), which the registry provider would take for a path separator.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Path,
        [Parameter(Mandatory = $true)][string[]]$ValueName
    )
    $out = [ordered]@{}
    try {
        $items = @(Get-ChildItem -LiteralPath $Path -ErrorAction Stop)
    } catch [System.Management.Automation.ItemNotFoundException] {
        return $out
    } catch {
        if ($_.FullyQualifiedErrorId -match 'PathNotFound') { return $out }
        throw
    }
    foreach ($item in $items) {
        $values = [ordered]@{}
        foreach ($v in $ValueName) { $values[$v] = ConvertTo-LdapsAuditInt ($item.GetValue($v)) }
        $out[[string]$item.PSChildName] = $values
    }
    return $out
}

# The Schannel TLS surface. Values as read, $null when absent: the Windows defaults they stand for are modelled
# once, in lib/facts/tlsSurface.ts. Sources: "Transport Layer Security (TLS) registry settings"
# (learn.microsoft.com/windows-server/security/tls/tls-registry-settings), "Prioritizing Schannel Cipher Suites"
# (learn.microsoft.com/windows/win32/secauthn/prioritizing-schannel-cipher-suites).
$script:LdapsAuditSchannelRoot = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL'

function Get-LdapsAuditSchannelProtocol {
    <# SCHANNEL\Protocols\<name>\Server Enabled and DisabledByDefault for every protocol key present (the Client subkeys are not the DC's). #>
    [CmdletBinding()]
    param()
    $protocols = [ordered]@{}
    foreach ($name in (Get-LdapsAuditRegistrySubkeyName -Path ($script:LdapsAuditSchannelRoot + '\Protocols'))) {
        $server = $script:LdapsAuditSchannelRoot + '\Protocols\' + $name + '\Server'
        $protocols[$name] = [ordered]@{
            Enabled           = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $server -Name 'Enabled')
            DisabledByDefault = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path $server -Name 'DisabledByDefault')
        }
    }
    return $protocols
}

function Get-LdapsAuditCipherSuitePolicy {
    <# The SSL Cipher Suite Order policy (00010002 Functions) as a list, in order; $null when no policy is set. REG_SZ (comma-separated, as Group Policy writes it) or REG_MULTI_SZ. #>
    [CmdletBinding()]
    param()
    $functions = Get-LdapsAuditRegistryValue -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002' -Name 'Functions'
    if ($null -eq $functions) { return $null }
    $list = New-Object System.Collections.Generic.List[string]
    foreach ($entry in @($functions)) {
        foreach ($name in (([string]$entry) -split ',')) { if ($name.Trim() -ne '') { $list.Add($name.Trim()) } }
    }
    return , $list.ToArray()
}

function Get-LdapsAuditRegistryEvidence {
    <# The snapshot's registry object; one try/catch per service so one denied key does not hide the rest. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][bool]$IncludeNtds,
        [string[]]$AdldsServiceNames = @(),
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[object]]$Errors
    )
    $reg = [ordered]@{}
    if ($IncludeNtds) {
        try { $reg.ntds = Get-LdapsAuditLdapPolicy -ServiceName 'NTDS' } catch { $Errors.Add((New-LdapsAuditError -Part 'registry/ntds' -ErrorRecord $_)) }
    }
    if (@($AdldsServiceNames).Count -gt 0) {
        $adlds = [ordered]@{}
        foreach ($svc in $AdldsServiceNames) {
            try { $adlds[$svc.Substring(5)] = Get-LdapsAuditLdapPolicy -ServiceName $svc } catch { $Errors.Add((New-LdapsAuditError -Part ('registry/' + $svc) -ErrorRecord $_)) }
        }
        $reg.adlds = $adlds
    }
    try {
        $reg.schannel = [ordered]@{
            EventLogging = ConvertTo-LdapsAuditInt (Get-LdapsAuditRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL' -Name 'EventLogging')
        }
    } catch {
        $Errors.Add((New-LdapsAuditError -Part 'registry/schannel' -ErrorRecord $_))
    }
    # The TLS surface part by part: a denied Ciphers key must cost neither EventLogging nor the protocols.
    if (-not $reg.Contains('schannel')) { $reg.schannel = [ordered]@{} }
    $parts = [ordered]@{
        protocols             = { Get-LdapsAuditSchannelProtocol }
        ciphers               = { Get-LdapsAuditRegistrySwitch -Path ($script:LdapsAuditSchannelRoot + '\Ciphers') -ValueName 'Enabled' }
        hashes                = { Get-LdapsAuditRegistrySwitch -Path ($script:LdapsAuditSchannelRoot + '\Hashes') -ValueName 'Enabled' }
        keyExchangeAlgorithms = { Get-LdapsAuditRegistrySwitch -Path ($script:LdapsAuditSchannelRoot + '\KeyExchangeAlgorithms') -ValueName 'Enabled' }
        cipherSuitePolicy     = { Get-LdapsAuditCipherSuitePolicy }
    }
    foreach ($part in $parts.Keys) {
        try {
            $reg.schannel[$part] = & $parts[$part]
        } catch {
            $Errors.Add((New-LdapsAuditError -Part ('registry/schannel/' + $part) -ErrorRecord $_))
        }
    }
    return $reg
}
