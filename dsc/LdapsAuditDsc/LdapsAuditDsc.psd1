@{
    RootModule           = 'LdapsAuditDsc.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f4a4e-8f0b-4c55-9a57-2b7e3c1a6d21'
    Author               = 'ldaps-audit contributors'
    Copyright            = '(c) ldaps-audit contributors. MIT License.'
    Description          = 'Audit LDAP over TLS (LDAPS) on domain controllers and AD LDS with ldaps-audit: a class-based DSC resource whose Get() returns Machine Configuration Reasons.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @()
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    DscResourcesToExport = @('LdapsAuditCompliance')
    PrivateData          = @{
        PSData = @{
            Tags       = @('DSC', 'DSCResource', 'LDAPS', 'ActiveDirectory', 'MachineConfiguration', 'Audit')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
