# The steps of `ldaps-audit fix --apply`: each public function changes one thing on the host, honours -WhatIf
# (SupportsShouldProcess) and returns an object that says what it did and how to undo it (`undo`: the function
# and the parameters that put the host back). The Windows-only parts sit behind small seam functions (a store
# opened through CertOpenStore, a file's SDDL, serialized certificates) that the tests replace by same-name
# functions: on Linux the certificates are real X509Certificate2 objects and the SDDL edit is the real code.
Set-StrictMode -Version Latest

$script:LdapsAuditMachineStoreName = 'LocalMachine\My'
$script:LdapsAuditServiceStorePattern = '^(NTDS|ADAM_[A-Za-z0-9_$-]{1,64})\\My$'
# SDDL aliases of the accounts a DC's keys are usually granted to (SDDL writes well-known SIDs by alias).
$script:LdapsAuditSddlAliases = @{ 'SY' = 'S-1-5-18'; 'NS' = 'S-1-5-20'; 'LS' = 'S-1-5-19'; 'BA' = 'S-1-5-32-544'; 'WD' = 'S-1-1-0'; 'AU' = 'S-1-5-11' }
# Rights (SDDL tokens or hex masks) that include reading the key file.
$script:LdapsAuditReadRights = @('GA', 'GR', 'FA', 'FR', 'GRGW', 'GWGR', '0x1f01ff', '0x120089', '0x80000000')

function Test-LdapsAuditMachineStoreName {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store)
    return ($Store -ieq $script:LdapsAuditMachineStoreName)
}

function Assert-LdapsAuditStoreName {
    <# LocalMachine\My or a service store (NTDS\My, ADAM_<instance>\My); nothing else is ever opened for writing. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store)
    if ((Test-LdapsAuditMachineStoreName -Store $Store) -or ($Store -match $script:LdapsAuditServiceStorePattern)) { return }
    throw (New-Object System.ArgumentException(('not a certificate store ldaps-audit changes: ' + $Store + ' (expected LocalMachine\My, NTDS\My or ADAM_<instance>\My)')))
}

# ---- seams (Windows implementations; the tests define functions of the same names) ----

function Open-LdapsAuditCertificateStore {
    <#
    Opens a store read-write. A service store (NTDS\My, ADAM_<instance>\My) is not reachable through the Cert: drive
    or X509Store's names: CertOpenStore(CERT_STORE_PROV_SYSTEM, CERT_SYSTEM_STORE_SERVICES, "<service>\My") opens it
    (the same store certutil -service -service and the MMC's "Service account" snap-in write), wrapped in X509Store.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store)
    Assert-LdapsAuditStoreName -Store $Store
    if (Test-LdapsAuditMachineStoreName -Store $Store) {
        $s = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', [System.Security.Cryptography.X509Certificates.StoreLocation]::LocalMachine)
        $s.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite)
        return $s
    }
    if (-not ('LdapsAudit.ServiceStore' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
namespace LdapsAudit {
    public static class ServiceStore {
        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern IntPtr CertOpenStore(IntPtr storeProvider, uint encodingType, IntPtr cryptProv, uint flags, string para);
        [DllImport("crypt32.dll", SetLastError = true)]
        private static extern bool CertCloseStore(IntPtr store, uint flags);
        private const uint CERT_SYSTEM_STORE_SERVICES = 0x50000;
        private static readonly IntPtr CERT_STORE_PROV_SYSTEM_W = new IntPtr(10);
        public static System.Security.Cryptography.X509Certificates.X509Store Open(string serviceAndStore) {
            IntPtr h = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, IntPtr.Zero, CERT_SYSTEM_STORE_SERVICES, serviceAndStore);
            if (h == IntPtr.Zero) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
            try { return new System.Security.Cryptography.X509Certificates.X509Store(h); }
            finally { CertCloseStore(h, 0); }
        }
    }
}
'@
    }
    return [LdapsAudit.ServiceStore]::Open($Store)
}

function Get-LdapsAuditStoreCertificate {
    <# The certificate with this thumbprint in the store (with its key link), or $null. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Thumbprint)
    $s = Open-LdapsAuditCertificateStore -Store $Store
    try {
        $found = $s.Certificates.Find([System.Security.Cryptography.X509Certificates.X509FindType]::FindByThumbprint, $Thumbprint, $false)
        if ($found.Count -gt 0) { return $found[0] }
        return $null
    } finally { $s.Close() }
}

function Add-LdapsAuditStoreCertificate {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate)
    $s = Open-LdapsAuditCertificateStore -Store $Store
    try { $s.Add($Certificate) } finally { $s.Close() }
}

function Remove-LdapsAuditStoreCertificate {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Thumbprint)
    $s = Open-LdapsAuditCertificateStore -Store $Store
    try {
        $found = $s.Certificates.Find([System.Security.Cryptography.X509Certificates.X509FindType]::FindByThumbprint, $Thumbprint, $false)
        foreach ($c in $found) { $s.Remove($c) }
    } finally { $s.Close() }
}

function Export-LdapsAuditSerializedCertificate {
    <# The certificate as a serialized store element (certificate plus properties, KEY_PROV_INFO included), so re-adding it keeps the key link. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Thumbprint, [Parameter(Mandatory = $true)][string]$Path)
    $c = Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $Thumbprint
    if ($null -eq $c) { throw (New-Object System.IO.FileNotFoundException(('no certificate ' + $Thumbprint + ' in ' + $Store))) }
    [System.IO.File]::WriteAllBytes($Path, $c.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::SerializedCert))
}

function Import-LdapsAuditSerializedCertificate {
    <# Adds the exported certificate back only when the bytes added hold the thumbprint expected. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Thumbprint)
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    $c = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2(, $bytes)
    if ($c.Thumbprint -ne $Thumbprint.ToUpperInvariant()) {
        throw (New-Object System.InvalidOperationException(('refused: ' + $Path + ' holds ' + $c.Thumbprint + ', not ' + $Thumbprint.ToUpperInvariant())))
    }
    Add-LdapsAuditStoreCertificate -Store $Store -Certificate $c
    return $c.Thumbprint
}

function Get-LdapsAuditStoreKeyInfo {
    <# The key provider facts (uniqueName, providerKind) of a store certificate, through its key link. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Thumbprint)
    $c = Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $Thumbprint
    if ($null -eq $c) { throw (New-Object System.InvalidOperationException(('no certificate ' + $Thumbprint + ' in ' + $Store))) }
    return (Get-LdapsAuditKeyProviderInfo -Certificate $c)
}

function Get-LdapsAuditFileSddl {
    <# Windows only (Get-Acl has no Linux implementation): the file's security descriptor as SDDL. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path)
    return (Get-Acl -LiteralPath $Path -ErrorAction Stop).GetSecurityDescriptorSddlForm('Access')
}

function Set-LdapsAuditFileSddl {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Sddl)
    $acl = Get-Acl -LiteralPath $Path -ErrorAction Stop
    $acl.SetSecurityDescriptorSddlForm($Sddl, 'Access')
    Set-Acl -LiteralPath $Path -AclObject $acl -ErrorAction Stop
}

# ---- pure helpers ----

function Test-LdapsAuditSddlGrantsRead {
    <# Whether the DACL has an explicit or inherited allow ACE (not inherit-only) giving $Sid read. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Sddl, [Parameter(Mandatory = $true)][string]$Sid)
    $m = [regex]::Match($Sddl, 'D:[^(]*((\([^)]*\))*)')
    if (-not $m.Success) { return $false }
    foreach ($ace in [regex]::Matches($m.Groups[1].Value, '\(([^)]*)\)')) {
        $f = $ace.Groups[1].Value.Split(';')
        if ($f.Count -lt 6 -or $f[0] -ne 'A' -or $f[1] -match 'IO') { continue }
        $trustee = $f[5]
        if ($script:LdapsAuditSddlAliases.ContainsKey($trustee)) { $trustee = $script:LdapsAuditSddlAliases[$trustee] }
        if ($trustee -ne $Sid) { continue }
        foreach ($r in $script:LdapsAuditReadRights) { if ($f[2] -ieq $r -or ($r.Length -eq 2 -and $f[2] -match ('^(..)*' + $r))) { return $true } }
    }
    return $false
}

function Add-LdapsAuditSddlReadAce {
    <#
    The SDDL with an explicit "allow generic read" ACE for $Sid, placed after the explicit ACEs and before the inherited
    ones (canonical order: explicit deny, explicit allow, inherited). Nothing else changes.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Sddl, [Parameter(Mandatory = $true)][ValidatePattern('^S-1-[0-9-]+$')][string]$Sid)
    $m = [regex]::Match($Sddl, 'D:[^(]*((\([^)]*\))*)')
    $ace = '(A;;GR;;;' + $Sid + ')'
    if (-not $m.Success) { throw (New-Object System.ArgumentException('the security descriptor has no DACL (D:) to add to')) }
    $aces = @([regex]::Matches($m.Groups[1].Value, '\([^)]*\)') | ForEach-Object { $_.Value })
    $insertAt = $m.Groups[1].Index
    foreach ($a in $aces) {
        if ($a.Split(';')[1] -match 'ID') { break }
        $insertAt += $a.Length
    }
    return $Sddl.Substring(0, $insertAt) + $ace + $Sddl.Substring($insertAt)
}

function New-LdapsAuditStepResult {
    [CmdletBinding()]
    param([string]$Action, [bool]$Changed, [bool]$WhatIf, [hashtable]$Detail, [string]$UndoFunction, [hashtable]$UndoParameters, [string]$Message)
    $undo = $null
    if ($Changed -and $UndoFunction) { $undo = [ordered]@{ function = $UndoFunction; parameters = $UndoParameters } }
    $r = [ordered]@{ action = $Action; changed = $Changed; whatIf = $WhatIf; message = $Message; undo = $undo }
    if ($Detail) { foreach ($k in $Detail.Keys) { $r[$k] = $Detail[$k] } }
    return $r
}

# ---- steps ----

function Import-LdapsAuditPfx {
    <#
    .SYNOPSIS
        Imports a PFX (certificate and private key, key not exportable, machine key set) into LocalMachine\My or a service store.
    .DESCRIPTION
        The password is a SecureString: it never appears on a command line. Already present: nothing changes.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Path,
        [Parameter(Mandatory = $true)][System.Security.SecureString]$Password,
        [Parameter(Mandatory = $true)][string]$Store
    )
    Assert-LdapsAuditStoreName -Store $Store
    # The thumbprint first, without persisting the key (loading with PersistKeySet writes a key container at once,
    # which -WhatIf and an already-imported certificate must not do): an ephemeral key where .NET has one.
    $flagType = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]
    $probeFlags = $flagType::DefaultKeySet
    if ([Enum]::GetNames($flagType) -contains 'EphemeralKeySet') { $probeFlags = [Enum]::Parse($flagType, 'EphemeralKeySet') }
    $probe = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($Path, $Password, $probeFlags)
    $tp = $probe.Thumbprint
    $probe.Reset()
    $detail = @{ store = $Store; thumbprint = $tp }
    if ($null -ne (Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $tp)) {
        return New-LdapsAuditStepResult -Action 'import' -Changed $false -WhatIf $false -Detail $detail -Message ($tp + ' is already in ' + $Store)
    }
    if (-not $PSCmdlet.ShouldProcess($Store, ('import ' + $tp + ' from ' + $Path))) {
        return New-LdapsAuditStepResult -Action 'import' -Changed $false -WhatIf $true -Detail $detail -Message ('would import ' + $tp + ' into ' + $Store)
    }
    $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($Path, $Password, ($flagType::MachineKeySet -bor $flagType::PersistKeySet))
    Add-LdapsAuditStoreCertificate -Store $Store -Certificate $cert
    return New-LdapsAuditStepResult -Action 'import' -Changed $true -WhatIf $false -Detail $detail -Message ('imported ' + $tp + ' into ' + $Store) -UndoFunction 'Undo-LdapsAuditCertificateAdd' -UndoParameters @{ Store = $Store; Thumbprint = $tp }
}

function Request-LdapsAuditCertificate {
    <#
    .SYNOPSIS
        Enrols as the machine from an ADCS template (Get-Certificate); the certificate and a new key land in LocalMachine\My.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$')][string]$Template,
        [Parameter(Mandatory = $true)][string[]]$DnsName
    )
    $detail = @{ store = $script:LdapsAuditMachineStoreName; template = $Template; names = $DnsName }
    if (-not $PSCmdlet.ShouldProcess('Cert:\LocalMachine\My', ('enrol from template ' + $Template + ' for ' + ($DnsName -join ', ')))) {
        return New-LdapsAuditStepResult -Action 'enrol' -Changed $false -WhatIf $true -Detail $detail -Message ('would enrol from template ' + $Template)
    }
    $r = Get-Certificate -Template $Template -DnsName $DnsName -CertStoreLocation 'Cert:\LocalMachine\My' -ErrorAction Stop
    if ([string]$r.Status -ne 'Issued' -or $null -eq $r.Certificate) {
        throw (New-Object System.InvalidOperationException(('enrolment from template ' + $Template + ' ended ' + [string]$r.Status + ' (not issued)')))
    }
    $detail.thumbprint = $r.Certificate.Thumbprint
    return New-LdapsAuditStepResult -Action 'enrol' -Changed $true -WhatIf $false -Detail $detail -Message ('enrolled ' + $r.Certificate.Thumbprint) -UndoFunction 'Undo-LdapsAuditCertificateAdd' -UndoParameters @{ Store = $script:LdapsAuditMachineStoreName; Thumbprint = $r.Certificate.Thumbprint }
}

function Copy-LdapsAuditCertificate {
    <#
    .SYNOPSIS
        Copies a certificate with its key link (KEY_PROV_INFO) from LocalMachine\My into a service store; nothing is removed from LocalMachine\My.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^[0-9A-Fa-f]{40}$')][string]$Thumbprint,
        [Parameter(Mandatory = $true)][ValidatePattern('^(NTDS|ADAM_[A-Za-z0-9_$-]{1,64})\\My$')][string]$Store,
        [string]$FromStore = 'LocalMachine\My'
    )
    $detail = @{ store = $Store; fromStore = $FromStore; thumbprint = $Thumbprint.ToUpperInvariant() }
    if ($null -ne (Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $Thumbprint)) {
        return New-LdapsAuditStepResult -Action 'copy' -Changed $false -WhatIf $false -Detail $detail -Message ($Thumbprint + ' is already in ' + $Store)
    }
    $c = Get-LdapsAuditStoreCertificate -Store $FromStore -Thumbprint $Thumbprint
    if ($null -eq $c) { throw (New-Object System.InvalidOperationException(('no certificate ' + $Thumbprint + ' in ' + $FromStore + ' to copy'))) }
    if (-not $PSCmdlet.ShouldProcess($Store, ('copy ' + $Thumbprint + ' from ' + $FromStore))) {
        return New-LdapsAuditStepResult -Action 'copy' -Changed $false -WhatIf $true -Detail $detail -Message ('would copy ' + $Thumbprint + ' into ' + $Store)
    }
    Add-LdapsAuditStoreCertificate -Store $Store -Certificate $c
    return New-LdapsAuditStepResult -Action 'copy' -Changed $true -WhatIf $false -Detail $detail -Message ('copied ' + $Thumbprint + ' into ' + $Store) -UndoFunction 'Undo-LdapsAuditCertificateAdd' -UndoParameters @{ Store = $Store; Thumbprint = $Thumbprint.ToUpperInvariant() }
}

function Undo-LdapsAuditCertificateAdd {
    <#
    Removes a certificate this run added (import, enrolment, copy): the undo of those steps, never a general delete.
    The key container an import or enrolment made stays (a copy shares it with LocalMachine\My); not yet deleted here.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][ValidatePattern('^[0-9A-Fa-f]{40}$')][string]$Thumbprint)
    Assert-LdapsAuditStoreName -Store $Store
    $detail = @{ store = $Store; thumbprint = $Thumbprint }
    if ($null -eq (Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $Thumbprint)) {
        return New-LdapsAuditStepResult -Action 'undo-add' -Changed $false -WhatIf $false -Detail $detail -Message ($Thumbprint + ' is not in ' + $Store)
    }
    if (-not $PSCmdlet.ShouldProcess($Store, ('remove ' + $Thumbprint + ' (added by this run)'))) {
        return New-LdapsAuditStepResult -Action 'undo-add' -Changed $false -WhatIf $true -Detail $detail -Message ('would remove ' + $Thumbprint)
    }
    Remove-LdapsAuditStoreCertificate -Store $Store -Thumbprint $Thumbprint
    return New-LdapsAuditStepResult -Action 'undo-add' -Changed $true -WhatIf $false -Detail $detail -Message ('removed ' + $Thumbprint + ' from ' + $Store)
}

function Grant-LdapsAuditKeyRead {
    <#
    .SYNOPSIS
        Allows an account Read on a certificate's private key file (CNG under Crypto\Keys, CAPI under Crypto\RSA\MachineKeys).
    .DESCRIPTION
        Adds one explicit allow ACE; the SDDL before the change is returned for undo. Already readable: nothing changes.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Store,
        [Parameter(Mandatory = $true)][ValidatePattern('^[0-9A-Fa-f]{40}$')][string]$Thumbprint,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Account
    )
    Assert-LdapsAuditStoreName -Store $Store
    $k = Get-LdapsAuditStoreKeyInfo -Store $Store -Thumbprint $Thumbprint
    if ($null -eq $k -or -not $k.uniqueName) { throw (New-Object System.InvalidOperationException(('the private key of ' + $Thumbprint + ' has no key file to grant on'))) }
    $path = Get-LdapsAuditKeyFilePath -UniqueName ([string]$k.uniqueName) -ProviderKind ([string]$k.providerKind)
    $sid = Resolve-LdapsAuditSid -Account $Account
    if (-not $sid) { throw (New-Object System.Security.Principal.IdentityNotMappedException(('the account ' + $Account + ' has no SID on this host'))) }
    $before = Get-LdapsAuditFileSddl -Path $path
    $detail = @{ store = $Store; thumbprint = $Thumbprint; account = $Account; sid = $sid; path = $path; previousSddl = $before }
    if (Test-LdapsAuditSddlGrantsRead -Sddl $before -Sid $sid) {
        return New-LdapsAuditStepResult -Action 'grant-read' -Changed $false -WhatIf $false -Detail $detail -Message ($Account + ' can already read ' + $path)
    }
    $after = Add-LdapsAuditSddlReadAce -Sddl $before -Sid $sid
    $detail.sddl = $after
    if (-not $PSCmdlet.ShouldProcess($path, ('allow ' + $Account + ' Read'))) {
        return New-LdapsAuditStepResult -Action 'grant-read' -Changed $false -WhatIf $true -Detail $detail -Message ('would allow ' + $Account + ' Read on ' + $path)
    }
    Set-LdapsAuditFileSddl -Path $path -Sddl $after
    return New-LdapsAuditStepResult -Action 'grant-read' -Changed $true -WhatIf $false -Detail $detail -Message ('allowed ' + $Account + ' Read on ' + $path) -UndoFunction 'Restore-LdapsAuditKeyAcl' -UndoParameters @{ Path = $path; Sddl = $before }
}

function Restore-LdapsAuditKeyAcl {
    <# Puts a key file's security descriptor back as it was before Grant-LdapsAuditKeyRead. #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Sddl)
    $detail = @{ path = $Path; sddl = $Sddl }
    if (-not $PSCmdlet.ShouldProcess($Path, 'restore the key ACL')) {
        return New-LdapsAuditStepResult -Action 'restore-acl' -Changed $false -WhatIf $true -Detail $detail -Message ('would restore the ACL of ' + $Path)
    }
    Set-LdapsAuditFileSddl -Path $Path -Sddl $Sddl
    return New-LdapsAuditStepResult -Action 'restore-acl' -Changed $true -WhatIf $false -Detail $detail -Message ('restored the ACL of ' + $Path)
}

function Remove-LdapsAuditCompetingCertificate {
    <#
    .SYNOPSIS
        Removes a stale or competing certificate from a SERVICE store (never LocalMachine\My, which other services use).
    .DESCRIPTION
        Exports it first to the backup folder: <thumbprint>.cer (the public certificate) and <thumbprint>.sst (the
        serialized store element, which keeps the key link, so the undo re-adds it as it was). The key is kept.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Store,
        [Parameter(Mandatory = $true)][ValidatePattern('^[0-9A-Fa-f]{40}$')][string]$Thumbprint,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$BackupDirectory
    )
    if (Test-LdapsAuditMachineStoreName -Store $Store) {
        throw (New-Object System.InvalidOperationException('refused: certificates are never removed from LocalMachine\My (other services use it); only from NTDS\My or ADAM_<instance>\My'))
    }
    Assert-LdapsAuditStoreName -Store $Store
    $tp = $Thumbprint.ToUpperInvariant()
    $cer = Join-Path $BackupDirectory ($tp + '.cer')
    $sst = Join-Path $BackupDirectory ($tp + '.sst')
    $detail = @{ store = $Store; thumbprint = $tp; backup = $cer; serialized = $sst }
    $c = Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $tp
    if ($null -eq $c) {
        return New-LdapsAuditStepResult -Action 'remove' -Changed $false -WhatIf $false -Detail $detail -Message ($tp + ' is no longer in ' + $Store)
    }
    if (-not $PSCmdlet.ShouldProcess($Store, ('export to ' + $BackupDirectory + ', then remove ' + $tp))) {
        return New-LdapsAuditStepResult -Action 'remove' -Changed $false -WhatIf $true -Detail $detail -Message ('would export and remove ' + $tp + ' from ' + $Store)
    }
    [void][System.IO.Directory]::CreateDirectory($BackupDirectory)
    [System.IO.File]::WriteAllBytes($cer, $c.RawData)
    Export-LdapsAuditSerializedCertificate -Store $Store -Thumbprint $tp -Path $sst
    # The undo re-adds this file: its hash is recorded so a file swapped in the backup folder is refused, not imported.
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { $sstSha256 = ([System.BitConverter]::ToString($sha.ComputeHash([System.IO.File]::ReadAllBytes($sst)))).Replace('-', '') } finally { $sha.Dispose() }
    Remove-LdapsAuditStoreCertificate -Store $Store -Thumbprint $tp
    return New-LdapsAuditStepResult -Action 'remove' -Changed $true -WhatIf $false -Detail $detail -Message ('exported ' + $tp + ' to ' + $BackupDirectory + ' and removed it from ' + $Store) -UndoFunction 'Restore-LdapsAuditCompetingCertificate' -UndoParameters @{ Store = $Store; Path = $sst; Thumbprint = $tp; Sha256 = $sstSha256 }
}

function Restore-LdapsAuditCompetingCertificate {
    <# Re-adds a certificate Remove-LdapsAuditCompetingCertificate exported (serialized, with its key link). #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][ValidatePattern('^[0-9A-Fa-f]{40}$')][string]$Thumbprint, [ValidatePattern('^[0-9A-Fa-f]{64}$')][string]$Sha256)
    Assert-LdapsAuditStoreName -Store $Store
    $detail = @{ store = $Store; thumbprint = $Thumbprint; serialized = $Path }
    if ($null -ne (Get-LdapsAuditStoreCertificate -Store $Store -Thumbprint $Thumbprint)) {
        return New-LdapsAuditStepResult -Action 'restore' -Changed $false -WhatIf $false -Detail $detail -Message ($Thumbprint + ' is in ' + $Store + ' already')
    }
    if (-not $PSCmdlet.ShouldProcess($Store, ('re-add ' + $Thumbprint + ' from ' + $Path))) {
        return New-LdapsAuditStepResult -Action 'restore' -Changed $false -WhatIf $true -Detail $detail -Message ('would re-add ' + $Thumbprint)
    }
    # Only the file exported is re-added: its SHA-256 (recorded by the removal) here, its thumbprint where it is added.
    if ($Sha256) {
        $h = [System.Security.Cryptography.SHA256]::Create()
        try { $actual = ([System.BitConverter]::ToString($h.ComputeHash([System.IO.File]::ReadAllBytes($Path)))).Replace('-', '') } finally { $h.Dispose() }
        if ($actual -ne $Sha256.ToUpperInvariant()) {
            throw (New-Object System.InvalidOperationException(('refused: ' + $Path + ' is not the file exported (SHA-256 ' + $actual + ', expected ' + $Sha256.ToUpperInvariant() + ')')))
        }
    }
    [void](Import-LdapsAuditSerializedCertificate -Store $Store -Path $Path -Thumbprint $Thumbprint)
    return New-LdapsAuditStepResult -Action 'restore' -Changed $true -WhatIf $false -Detail $detail -Message ('re-added ' + $Thumbprint + ' to ' + $Store)
}

function Invoke-LdapsAuditCertificateReload {
    <#
    .SYNOPSIS
        Makes the directory service pick its certificate again: LDAP modify of the rootDSE (dn "") adding
        renewServerCertificate: 1, through System.DirectoryServices.Protocols. No reboot; -RestartService also restarts it.
    .DESCRIPTION
        On a DC: -AuthType Negotiate with the process token (an elevated administrator). A refusal by the server is a
        step failure with the server's result code and message.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [string]$Server = 'localhost',
        [ValidateRange(1, 65535)][int]$Port = 389,
        [ValidateSet('Negotiate', 'Kerberos', 'Anonymous', 'Basic')][string]$AuthType = 'Negotiate',
        [System.Management.Automation.PSCredential]$Credential,
        [switch]$RestartService,
        [ValidatePattern('^(NTDS|ADAM_[A-Za-z0-9_$-]{1,64})$')][string]$ServiceName = 'NTDS',
        [ValidateRange(1, 3600)][int]$TimeoutSeconds = 60
    )
    $target = $Server + ':' + $Port
    $detail = @{ server = $target; attribute = 'renewServerCertificate'; restarted = $false }
    if (-not $PSCmdlet.ShouldProcess($target, 'LDAP modify rootDSE renewServerCertificate: 1')) {
        return New-LdapsAuditStepResult -Action 'ldap-modify' -Changed $false -WhatIf $true -Detail $detail -Message ('would send the renewServerCertificate modify to ' + $target)
    }
    Add-Type -AssemblyName System.DirectoryServices.Protocols
    $id = New-Object System.DirectoryServices.Protocols.LdapDirectoryIdentifier($Server, $Port)
    $conn = New-Object System.DirectoryServices.Protocols.LdapConnection($id)
    try {
        $conn.AuthType = [System.DirectoryServices.Protocols.AuthType]$AuthType
        if ($Credential) { $conn.Credential = $Credential.GetNetworkCredential() }
        $conn.SessionOptions.ProtocolVersion = 3
        $conn.Timeout = [TimeSpan]::FromSeconds($TimeoutSeconds)
        $req = New-Object System.DirectoryServices.Protocols.ModifyRequest('', [System.DirectoryServices.Protocols.DirectoryAttributeOperation]::Add, 'renewServerCertificate', '1')
        try {
            $resp = $conn.SendRequest($req)
        } catch {
            $e = $_.Exception
            while ($null -ne $e -and -not ($e -is [System.DirectoryServices.Protocols.DirectoryOperationException]) -and -not ($e -is [System.DirectoryServices.Protocols.LdapException])) { $e = $e.InnerException }
            if ($e -is [System.DirectoryServices.Protocols.DirectoryOperationException]) {
                throw (New-Object System.InvalidOperationException(($target + ' refused the renewServerCertificate modify: ' + [string]$e.Response.ResultCode + ' (' + [string]$e.Response.ErrorMessage + ')')))
            }
            if ($e -is [System.DirectoryServices.Protocols.LdapException]) {
                throw (New-Object System.InvalidOperationException(('the renewServerCertificate modify to ' + $target + ' failed: LDAP error ' + $e.ErrorCode + ' (' + $e.Message + ')')))
            }
            throw
        }
        $detail.resultCode = [string]$resp.ResultCode
    } finally { $conn.Dispose() }
    if ($RestartService) {
        Restart-Service -Name $ServiceName -Force -ErrorAction Stop
        $detail.restarted = $true
    }
    return New-LdapsAuditStepResult -Action 'ldap-modify' -Changed $true -WhatIf $false -Detail $detail -Message ('the service at ' + $target + ' accepted renewServerCertificate')
}
