# The objects the public functions return (type names for formatting and for scripts that check them).
Set-StrictMode -Version Latest

function ConvertTo-LdapsAuditSnapshotObject {
    <# The collector's ordered dictionary (or a parsed snapshot) as an LdapsAudit.Snapshot object. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Snapshot)
    if ($Snapshot -is [System.Collections.IDictionary]) { $object = [pscustomobject]$Snapshot } else { $object = $Snapshot }
    $object.PSObject.TypeNames.Insert(0, 'LdapsAudit.Snapshot')
    return $object
}

function Add-LdapsAuditDefaultDisplay {
    <# Which properties a bare object shows in the console (the rest stay one Select-Object * away). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][psobject]$InputObject, [Parameter(Mandatory = $true)][string[]]$Property)
    $set = New-Object System.Management.Automation.PSPropertySet('DefaultDisplayPropertySet', [string[]]$Property)
    $members = [System.Management.Automation.PSMemberInfo[]]@($set)
    Add-Member -InputObject $InputObject -MemberType MemberSet -Name PSStandardMembers -Value $members -Force
}

function New-LdapsAuditResult {
    <#
    The outcome of Invoke-LdapsAudit: per target (host and service) its status and the ids of the failing and
    warning controls, the parsed report (schemas/report.schema.json) when the snapshot was evaluated, and where
    the snapshot is.
    #>
    [CmdletBinding()]
    param(
        [AllowNull()][object]$Report,
        # Untyped on purpose: a [string] parameter turns $null into "", and these are $null when absent.
        [AllowNull()][object]$ComputerName,
        [AllowNull()][object]$SnapshotPath,
        [AllowNull()][object]$HtmlReportPath,
        [AllowNull()][object]$EvaluateCommand
    )
    $targets = New-Object System.Collections.Generic.List[object]
    $failed = New-Object System.Collections.Generic.List[string]
    $warnings = New-Object System.Collections.Generic.List[string]
    $compliant = $null
    $profileId = $null
    if ($null -ne $Report) {
        $profileId = [string]$Report.profile.id
        $compliant = ([int]$Report.summary.noncompliant -eq 0)
        foreach ($t in @($Report.targets)) {
            $tFailed = @($t.controls | Where-Object { $_.status -eq 'fail' -or $_.status -eq 'error' } | ForEach-Object { [string]$_.id })
            $tWarn = @($t.controls | Where-Object { $_.status -eq 'warn' } | ForEach-Object { [string]$_.id })
            foreach ($id in $tFailed) { if (-not $failed.Contains($id)) { $failed.Add($id) } }
            foreach ($id in $tWarn) { if (-not $warnings.Contains($id)) { $warnings.Add($id) } }
            $target = [pscustomobject]@{
                PSTypeName      = 'LdapsAudit.TargetResult'
                ComputerName    = [string]$t.host
                Service         = $t.service
                Compliant       = ([string]$t.status -eq 'compliant')
                RootCause       = $t.rootCause
                FailedControls  = [string[]]$tFailed
                WarningControls = [string[]]$tWarn
            }
            $targets.Add($target)
        }
        if (-not $ComputerName) { $ComputerName = (@($targets | ForEach-Object { $_.ComputerName } | Select-Object -Unique) -join ', ') }
    }
    $result = [pscustomobject]@{
        PSTypeName      = 'LdapsAudit.Result'
        ComputerName    = $ComputerName
        Evaluated       = ($null -ne $Report)
        Compliant       = $compliant
        Profile         = $profileId
        FailedControls  = $failed.ToArray()
        WarningControls = $warnings.ToArray()
        Targets         = $targets.ToArray()
        SnapshotPath    = $SnapshotPath
        HtmlReportPath  = $HtmlReportPath
        EvaluateCommand = $EvaluateCommand
        Report          = $Report
    }
    Add-LdapsAuditDefaultDisplay -InputObject $result -Property @('ComputerName', 'Evaluated', 'Compliant', 'Profile', 'FailedControls', 'WarningControls', 'SnapshotPath')
    return $result
}
