# Certificate evidence: LocalMachine\My (Cert: drive), service stores NTDS\My and ADAM_<instance>\My
# (registry Blob values), private key provider facts, key file ACLs and the host's own chain result.
# Reads only: never exports a private key, never changes the machine.
Set-StrictMode -Version Latest

$script:LdapsAuditServerAuthOid = '1.3.6.1.5.5.7.3.1'

function Get-LdapsAuditProgramDataPath {
    [CmdletBinding()]
    param()
    if ($env:ProgramData) { return [string]$env:ProgramData }
    return [Environment]::GetFolderPath([Environment+SpecialFolder]::CommonApplicationData)
}

function Get-LdapsAuditKeyFilePath {
    <# Where a machine key lives: CSP keys under Crypto\RSA\MachineKeys, CNG keys under Crypto\Keys. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$UniqueName,
        [Parameter(Mandatory = $true)][ValidateSet('csp', 'ksp')][string]$ProviderKind
    )
    if ([System.IO.Path]::IsPathRooted($UniqueName)) { return $UniqueName }
    $base = Get-LdapsAuditProgramDataPath
    if ($ProviderKind -eq 'csp') { $relative = 'Microsoft\Crypto\RSA\MachineKeys' } else { $relative = 'Microsoft\Crypto\Keys' }
    return ($base.TrimEnd('\', '/') + '\' + $relative + '\' + $UniqueName)
}

function ConvertFrom-LdapsAuditCngKey {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Key)
    $strong = $null
    try { $strong = ([string]$Key.UIPolicy.ProtectionLevel -ne 'None') } catch { $strong = $null }
    $exportable = $null
    try { $exportable = (([int]$Key.ExportPolicy -band 3) -ne 0) } catch { $exportable = $null }
    return [ordered]@{
        providerName     = [string]$Key.Provider.Provider
        providerType     = 0
        providerKind     = 'ksp'
        containerName    = [string]$Key.KeyName
        uniqueName       = [string]$Key.UniqueName
        keySpec          = $null
        strongProtection = $strong
        exportable       = $exportable
    }
}

function ConvertFrom-LdapsAuditCspInfo {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Info)
    return [ordered]@{
        providerName     = [string]$Info.ProviderName
        providerType     = [int]$Info.ProviderType
        providerKind     = 'csp'
        containerName    = [string]$Info.KeyContainerName
        uniqueName       = [string]$Info.UniqueKeyContainerName
        keySpec          = [int]$Info.KeyNumber
        strongProtection = [bool]$Info.Protected
        exportable       = [bool]$Info.Exportable
    }
}

function Get-LdapsAuditKeyProviderInfo {
    <#
    Key provider facts of a certificate's private key (Certificate set), or of a key named by a registry
    Blob's KEY_PROV_INFO (Container set). Returns providerName/Type/Kind, containerName, uniqueName,
    keySpec, strongProtection, exportable. Opens the key handle only; never exports it. Throws when the
    key cannot be opened.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Certificate')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Certificate')]
        [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,
        [Parameter(Mandatory = $true, ParameterSetName = 'Container')][ValidateNotNullOrEmpty()][string]$ProviderName,
        [Parameter(Mandatory = $true, ParameterSetName = 'Container')][ValidateNotNullOrEmpty()][string]$ContainerName,
        [Parameter(Mandatory = $true, ParameterSetName = 'Container')][ValidateRange(0, 1000)][int]$ProviderType,
        [Parameter(ParameterSetName = 'Container')][ValidateRange(0, 2)][int]$KeySpec = 1
    )
    if ($PSCmdlet.ParameterSetName -eq 'Container') {
        if ($ProviderType -eq 0) {
            $provider = New-Object System.Security.Cryptography.CngProvider($ProviderName)
            $cng = [System.Security.Cryptography.CngKey]::Open($ContainerName, $provider, [System.Security.Cryptography.CngKeyOpenOptions]::MachineKey)
            try { return (ConvertFrom-LdapsAuditCngKey -Key $cng) } finally { $cng.Dispose() }
        }
        $params = New-Object System.Security.Cryptography.CspParameters($ProviderType, $ProviderName, $ContainerName)
        $params.Flags = [System.Security.Cryptography.CspProviderFlags]'UseMachineKeyStore, UseExistingKey'
        $params.KeyNumber = $KeySpec
        $csp = New-Object System.Security.Cryptography.RSACryptoServiceProvider($params)
        try { return (ConvertFrom-LdapsAuditCspInfo -Info $csp.CspKeyContainerInfo) } finally { $csp.Dispose() }
    }
    $key = $null
    try { $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate) } catch { $key = $null }
    if ($null -eq $key) {
        try { $key = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Certificate) } catch { $key = $null }
    }
    if ($null -eq $key) { throw (New-Object System.InvalidOperationException('the private key could not be opened')) }
    try {
        if ($null -ne $key.PSObject.Properties['CspKeyContainerInfo']) { return (ConvertFrom-LdapsAuditCspInfo -Info $key.CspKeyContainerInfo) }
        if ($null -ne $key.PSObject.Properties['Key'] -and $key.Key -is [System.Security.Cryptography.CngKey]) { return (ConvertFrom-LdapsAuditCngKey -Key $key.Key) }
        throw (New-Object System.PlatformNotSupportedException(('key provider details are not available for a ' + $key.GetType().Name + ' key on this platform')))
    } finally {
        $key.Dispose()
    }
}

function Get-LdapsAuditKeyFileAcl {
    <# The key file's DACL as AccessRule objects (identity, sid, rights, type, inherited). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Path)
    $acl = Get-Acl -LiteralPath $Path -ErrorAction Stop
    $rules = New-Object System.Collections.Generic.List[object]
    foreach ($r in @($acl.Access)) {
        $identity = [string]$r.IdentityReference.Value
        $sid = $null
        if ($r.IdentityReference -is [System.Security.Principal.SecurityIdentifier] -or $identity -match '^S-1-[0-9-]+$') {
            $sid = $identity
            try { $identity = [string]$r.IdentityReference.Translate([System.Security.Principal.NTAccount]).Value } catch { $identity = $sid }
        } else {
            $sid = Resolve-LdapsAuditSid -Account $identity
        }
        $rightsText = [string]$r.FileSystemRights
        $rights = $rightsText
        $n = 0L
        if ([long]::TryParse($rightsText, [ref]$n)) {
            if ($n -lt 0) { $n = $n + 4294967296L }
            $rights = $n
        }
        $rules.Add([ordered]@{
                identity  = $identity
                sid       = $sid
                rights    = $rights
                type      = [string]$r.AccessControlType
                inherited = [bool]$r.IsInherited
            })
    }
    return , $rules.ToArray()
}

function Get-LdapsAuditPrivateKeyEvidence {
    <# privateKey evidence for one certificate: provider, unique name, key file path and its ACL. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][bool]$Present,
        [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,
        [System.Collections.IDictionary]$KeyProvInfo
    )
    $evidence = [ordered]@{ present = $Present }
    if (-not $Present) { return $evidence }
    $info = $null
    try {
        if ($null -ne $KeyProvInfo) {
            $info = Get-LdapsAuditKeyProviderInfo -ProviderName $KeyProvInfo.providerName -ContainerName $KeyProvInfo.containerName -ProviderType $KeyProvInfo.providerType -KeySpec $KeyProvInfo.keySpec
        } else {
            $info = Get-LdapsAuditKeyProviderInfo -Certificate $Certificate
        }
    } catch {
        $message = [string]$_.Exception.Message
        if ($null -ne $KeyProvInfo) {
            $evidence.providerName = $KeyProvInfo.providerName
            $evidence.providerType = $KeyProvInfo.providerType
            if ($KeyProvInfo.providerType -eq 0) { $evidence.providerKind = 'ksp' } else { $evidence.providerKind = 'csp' }
            $evidence.containerName = $KeyProvInfo.containerName
            $evidence.keySpec = $KeyProvInfo.keySpec
            # The Blob names a key; "keyset does not exist" means the key itself is gone.
            if ($message -match 'does not exist|keyset|0x80090016|0x8009000D') { $evidence.present = $false }
        }
        $evidence.error = 'key provider: ' + $message
        return $evidence
    }
    foreach ($k in @($info.Keys)) { $evidence[$k] = $info[$k] }
    if ($info.uniqueName) {
        try {
            $path = Get-LdapsAuditKeyFilePath -UniqueName $info.uniqueName -ProviderKind $info.providerKind
            $evidence.keyFilePath = $path
            $evidence.acl = Get-LdapsAuditKeyFileAcl -Path $path
        } catch {
            $evidence.acl = $null
            $evidence.error = 'key file ACL: ' + [string]$_.Exception.Message
        }
    }
    return $evidence
}

function Get-LdapsAuditChainResult {
    <# The host's own X509Chain.Build for Server Authentication. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,
        [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck'
    )
    $chain = New-Object System.Security.Cryptography.X509Certificates.X509Chain
    try {
        [void]$chain.ChainPolicy.ApplicationPolicy.Add((New-Object System.Security.Cryptography.Oid($script:LdapsAuditServerAuthOid)))
        $chain.ChainPolicy.RevocationMode = [System.Security.Cryptography.X509Certificates.X509RevocationMode]$RevocationMode
        $chain.ChainPolicy.UrlRetrievalTimeout = New-Object TimeSpan(0, 0, 15)
        $built = [bool]$chain.Build($Certificate)
        $status = New-Object System.Collections.Generic.List[object]
        foreach ($s in @($chain.ChainStatus)) {
            $status.Add([ordered]@{ status = [string]$s.Status; information = ([string]$s.StatusInformation).Trim() })
        }
        $elements = New-Object System.Collections.Generic.List[object]
        foreach ($e in @($chain.ChainElements)) {
            $c = $e.Certificate
            $elements.Add([ordered]@{
                    thumbprint = [string]$c.Thumbprint
                    subject    = [string]$c.Subject
                    notAfter   = (ConvertTo-LdapsAuditIsoDate -Date $c.NotAfter)
                    der        = [Convert]::ToBase64String($c.RawData)
                })
        }
        return [ordered]@{
            built          = $built
            policy         = $script:LdapsAuditServerAuthOid
            revocationMode = $RevocationMode
            status         = $status.ToArray()
            elements       = $elements.ToArray()
        }
    } finally {
        if ($chain -is [System.IDisposable]) { $chain.Dispose() }
    }
}

function Read-LdapsAuditBlob {
    <# Split a registry certificate Blob into properties (PropertyID u32 | reserved u32 | length u32 | value); order not assumed. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][byte[]]$Blob)
    $props = @{}
    $offset = 0
    while ($offset + 12 -le $Blob.Length) {
        $id = [BitConverter]::ToUInt32($Blob, $offset)
        $length = [BitConverter]::ToUInt32($Blob, $offset + 8)
        $start = $offset + 12
        if ($start + $length -gt $Blob.Length) { throw (New-Object System.IO.InvalidDataException(('Blob property ' + $id + ' is truncated'))) }
        $value = New-Object byte[] $length
        [Array]::Copy($Blob, $start, $value, 0, $length)
        $props[[int]$id] = $value
        $offset = $start + $length
    }
    return $props
}

function Read-LdapsAuditUtf16 {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][byte[]]$Bytes, [Parameter(Mandatory = $true)][int]$Offset)
    if ($Offset -le 0 -or $Offset -ge $Bytes.Length) { return $null }
    $end = $Offset
    while ($end + 1 -lt $Bytes.Length -and -not ($Bytes[$end] -eq 0 -and $Bytes[$end + 1] -eq 0)) { $end += 2 }
    return [System.Text.Encoding]::Unicode.GetString($Bytes, $Offset, $end - $Offset)
}

function ConvertFrom-LdapsAuditKeyProvInfo {
    <# CRYPT_KEY_PROV_INFO as serialized in a Blob (pointers are offsets from the start of the value). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][byte[]]$Value)
    if ($Value.Length -lt 28) { return $null }
    return [ordered]@{
        containerName = (Read-LdapsAuditUtf16 -Bytes $Value -Offset ([BitConverter]::ToInt32($Value, 0)))
        providerName  = (Read-LdapsAuditUtf16 -Bytes $Value -Offset ([BitConverter]::ToInt32($Value, 4)))
        providerType  = [int][BitConverter]::ToUInt32($Value, 8)
        keySpec       = [int][BitConverter]::ToUInt32($Value, 24)
    }
}

function ConvertTo-LdapsAuditStoreCertificate {
    <# One StoreCertificate: DER (Cert: drive) or registryBlob (service store), key evidence and chain. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$StoreName,
        [byte[]]$RegistryBlob,
        [System.Collections.IDictionary]$KeyProvInfo,
        [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck',
        [System.Collections.Generic.List[object]]$Errors
    )
    $out = [ordered]@{}
    if ($null -ne $RegistryBlob) { $out.registryBlob = [Convert]::ToBase64String($RegistryBlob) } else { $out.der = [Convert]::ToBase64String($Certificate.RawData) }
    $out.thumbprint = [string]$Certificate.Thumbprint
    if ($null -eq $RegistryBlob) {
        $fn = [string]$Certificate.FriendlyName
        if ($fn) { $out.friendlyName = $fn } else { $out.friendlyName = $null }
    }
    $part = 'stores/' + $StoreName + '/' + $out.thumbprint
    try {
        if ($null -ne $RegistryBlob) {
            if ($null -ne $KeyProvInfo) { $out.privateKey = Get-LdapsAuditPrivateKeyEvidence -Present $true -KeyProvInfo $KeyProvInfo }
        } else {
            $out.privateKey = Get-LdapsAuditPrivateKeyEvidence -Present ([bool]$Certificate.HasPrivateKey) -Certificate $Certificate
        }
    } catch {
        if ($null -ne $Errors) { $Errors.Add((New-LdapsAuditError -Part ($part + '/privateKey') -ErrorRecord $_)) }
    }
    try {
        $out.chain = Get-LdapsAuditChainResult -Certificate $Certificate -RevocationMode $RevocationMode
    } catch {
        if ($null -ne $Errors) { $Errors.Add((New-LdapsAuditError -Part ($part + '/chain') -ErrorRecord $_)) }
    }
    return $out
}

function Get-LdapsAuditMachineStore {
    <# LocalMachine\My through the Cert: drive. #>
    [CmdletBinding()]
    param(
        [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck',
        [System.Collections.Generic.List[object]]$Errors
    )
    $store = [ordered]@{ name = 'LocalMachine\My'; certificates = @() }
    $list = New-Object System.Collections.Generic.List[object]
    try {
        $items = @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\My' -ErrorAction Stop)
    } catch {
        $store.error = New-LdapsAuditError -Part 'stores/LocalMachine\My' -ErrorRecord $_
        return $store
    }
    foreach ($c in $items) {
        if (-not ($c -is [System.Security.Cryptography.X509Certificates.X509Certificate2])) { continue }
        $list.Add((ConvertTo-LdapsAuditStoreCertificate -Certificate $c -StoreName 'LocalMachine\My' -RevocationMode $RevocationMode -Errors $Errors))
    }
    $store.certificates = $list.ToArray()
    return $store
}

function Get-LdapsAuditServiceStore {
    <# A service store (NTDS\My, ADAM_<instance>\My) from HKLM\SOFTWARE\Microsoft\Cryptography\Services\<service>\SystemCertificates\My. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^(NTDS|ADAM_[^\\/]+)$')][string]$ServiceName,
        [ValidateSet('NoCheck', 'Online', 'Offline')][string]$RevocationMode = 'NoCheck',
        [System.Collections.Generic.List[object]]$Errors
    )
    $storeName = $ServiceName + '\My'
    $store = [ordered]@{ name = $storeName; certificates = @() }
    $base = 'HKLM:\SOFTWARE\Microsoft\Cryptography\Services\' + $ServiceName + '\SystemCertificates\My\Certificates'
    $list = New-Object System.Collections.Generic.List[object]
    try {
        $names = Get-LdapsAuditRegistrySubkeyName -Path $base
    } catch {
        $store.error = New-LdapsAuditError -Part ('stores/' + $storeName) -ErrorRecord $_
        return $store
    }
    foreach ($name in $names) {
        try {
            $blob = [byte[]](Get-LdapsAuditRegistryValue -Path ($base + '\' + $name) -Name 'Blob')
            if ($null -eq $blob -or $blob.Length -eq 0) { continue }
            $props = Read-LdapsAuditBlob -Blob $blob
            if (-not $props.ContainsKey(32)) { throw (New-Object System.IO.InvalidDataException('the Blob has no certificate property (32)')) }
            $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2(, [byte[]]$props[32])
            $kpi = $null
            if ($props.ContainsKey(2)) { $kpi = ConvertFrom-LdapsAuditKeyProvInfo -Value $props[2] }
            $list.Add((ConvertTo-LdapsAuditStoreCertificate -Certificate $cert -StoreName $storeName -RegistryBlob $blob -KeyProvInfo $kpi -RevocationMode $RevocationMode -Errors $Errors))
        } catch {
            if ($null -ne $Errors) { $Errors.Add((New-LdapsAuditError -Part ('stores/' + $storeName + '/' + $name) -ErrorRecord $_)) }
        }
    }
    $store.certificates = $list.ToArray()
    return $store
}
