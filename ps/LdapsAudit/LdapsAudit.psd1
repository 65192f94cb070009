@{
    RootModule           = 'LdapsAudit.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'b3f2c0d8-6a4e-4f1b-9c7d-2e5a8b1f4c60'
    Author               = 'ldaps-audit contributors'
    CompanyName          = 'ldaps-audit'
    Copyright            = '(c) ldaps-audit contributors. MIT License.'
    Description          = 'Audit LDAP over TLS (LDAPS) on Windows domain controllers and AD LDS: collect the certificate, key, registry and event-log evidence as an ldaps-audit snapshot (no Node.js needed) and evaluate it against a compliance profile with the ldaps-audit CLI.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @(
        'Get-LdapsAuditSnapshot'
        'Invoke-LdapsAudit'
        'Test-LdapsAudit'
        'Register-LdapsAuditSnapshotTask'
        'Unregister-LdapsAuditSnapshotTask'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('LDAPS', 'LDAP', 'TLS', 'ActiveDirectory', 'DomainController', 'ADLDS', 'Certificate', 'Audit', 'Compliance', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
