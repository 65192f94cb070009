# Imports the LdapsAuditDsc module and runs Test() and Get() of [LdapsAuditCompliance] (the class is
# visible inside the module's scope), printing the outcome as JSON; a throw is reported, not raised.
param([string]$ModulePath, [string]$CliPath, [string]$SnapshotPath, [string]$Now)
$ErrorActionPreference = 'Stop'
$manifest = Test-ModuleManifest -Path $ModulePath
$m = Import-Module $ModulePath -PassThru -Force
$out = & $m {
    param($CliPath, $SnapshotPath, $Now)
    $r = [LdapsAuditCompliance]::new()
    $r.Profile = 'baseline'
    $r.SnapshotPath = $SnapshotPath
    $r.Now = $Now
    $r.CliPath = $CliPath
    try {
        $test = $r.Test()
        $get = $r.Get()
        # Set() reaches `ldaps-audit dsc set`, which refuses a snapshot: it changes this host, judged as it is now.
        $setError = $null
        try { $r.Set() } catch { $setError = $_.Exception.Message }
        @{ ok = $true; test = $test; getType = $get.GetType().Name; inDesiredState = $get.InDesiredState; profile = $get.Profile; setError = $setError
           reasonType = $(if ($get.Reasons.Count) { $get.Reasons[0].GetType().Name } else { '' })
           reasons = @($get.Reasons | ForEach-Object { @{ code = $_.Code; phrase = $_.Phrase } }) }
    } catch {
        @{ ok = $false; error = $_.Exception.Message }
    }
} $CliPath $SnapshotPath $Now
$out['moduleVersion'] = [string]$manifest.Version
# ExportedDscResources is only filled where PSDesiredStateConfiguration is loaded (Windows); read the data file.
$out['dscResources'] = @((Import-PowerShellDataFile -Path $ModulePath).DscResourcesToExport)
ConvertTo-Json -InputObject $out -Depth 6 -Compress
