# LDAP policy registry values (signing, channel binding, diagnostics) per NTDS and AD LDS instance; Schannel logging.
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
    return $reg
}
