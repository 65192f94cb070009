# One small collector-style query for bench/collector.js: read a value and a certificate's facts,
# answer with one LDAPS-AUDIT-RESULT line (the -AsBase64 switch lib/collect passes is accepted; the answer is always the marker line). Works on Windows PowerShell 5.1 and pwsh 7.
[CmdletBinding()]
param([Parameter(Mandatory)][string]$CertificatePath, [Parameter(Mandatory)][int]$Index, [switch]$AsBase64)
Set-StrictMode -Version Latest
$cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $CertificatePath
$result = @{ index = $Index; thumbprint = $cert.Thumbprint; notAfter = $cert.NotAfter.ToUniversalTime().ToString('o'); subject = $cert.Subject }
$json = $result | ConvertTo-Json -Compress
'LDAPS-AUDIT-RESULT:' + [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($json))
