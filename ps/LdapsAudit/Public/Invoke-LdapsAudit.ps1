Set-StrictMode -Version Latest

function Invoke-LdapsAudit {
    <#
    .SYNOPSIS
        Audits LDAPS on this domain controller: collects the evidence and evaluates it against a compliance profile.
    .DESCRIPTION
        Collects a snapshot like Get-LdapsAuditSnapshot and, when the ldaps-audit CLI and Node.js are present,
        evaluates it with `ldaps-audit evaluate` and returns the outcome: compliant or not, the failing and
        warning control ids per host and service, and the full report (schemas/report.schema.json).

        Domain controllers often carry no Node.js. Then the snapshot is written to a file (-SnapshotPath, or
        <host>.snapshot.json in the current folder), a warning says how to evaluate it where ldaps-audit is
        installed, and the result has Evaluated = $false. -InputPath evaluates snapshot files collected
        elsewhere (for example the folder the snapshot task fills).
    .PARAMETER InputPath
        Evaluate these snapshot files (wildcards allowed) instead of collecting on this host.
    .PARAMETER SnapshotPath
        Keep the collected snapshot in this file. Without it the snapshot is a temporary file when it is
        evaluated here, and <host>.snapshot.json in the current folder when it cannot be.
    .PARAMETER ComplianceProfile
        baseline, hardened, or the path of a profile file. Alias: -Profile.
    .PARAMETER Waivers
        Path of a waivers file (JSON or YAML).
    .PARAMETER Now
        Judge validity and expiry at this instant instead of now (reproducible audits).
    .PARAMETER HtmlReportPath
        Also write the HTML report for auditors to this file.
    .PARAMETER CliPath
        The ldaps-audit CLI: bin\ldaps-audit.js of the npm package (run with node) or the ldaps-audit command.
        Default: $env:LDAPS_AUDIT_CLI, ldaps-audit on PATH, then the package this module came with.
    .PARAMETER LookbackDays
        Days of event log to read.
    .PARAMETER MaxEvents
        Most events read per log.
    .PARAMETER RevocationMode
        Revocation checking for the host's own chain build.
    .EXAMPLE
        Import-Module LdapsAudit; Invoke-LdapsAudit

        Audits this DC with the baseline profile; the result shows whether it is compliant and which controls fail.
    .EXAMPLE
        Invoke-LdapsAudit -Profile hardened -HtmlReportPath C:\Temp\dc1.html | Select-Object -ExpandProperty Targets

        Hardened audit with an HTML report; lists each target (NTDS, AD LDS instances) with its failing controls.
    .EXAMPLE
        Invoke-LdapsAudit -InputPath \\fs1\ldaps-audit$\snapshots\*.snapshot.json -HtmlReportPath C:\Reports\ldaps.html

        On the admin workstation: evaluates the snapshots the DCs' daily task wrote to the share.
    .EXAMPLE
        (Invoke-LdapsAudit).Report.targets[0].controls | Where-Object status -eq 'fail' | Format-Table id, title, message

        The failing controls with their messages, from the full report.
    .INPUTS
        None.
    .OUTPUTS
        LdapsAudit.Result
    .LINK
        Get-LdapsAuditSnapshot
    .LINK
        Test-LdapsAudit
    #>
    [CmdletBinding(DefaultParameterSetName = 'Collect')]
    [OutputType('LdapsAudit.Result')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'File')]
        [ValidateNotNullOrEmpty()]
        [string[]]$InputPath,

        [Parameter(ParameterSetName = 'Collect')]
        [ValidateNotNullOrEmpty()]
        [string]$SnapshotPath,

        [Alias('Profile')]
        [ValidateNotNullOrEmpty()]
        [string]$ComplianceProfile = 'baseline',

        [ValidateNotNullOrEmpty()]
        [string]$Waivers,

        [datetime]$Now,

        [ValidateNotNullOrEmpty()]
        [string]$HtmlReportPath,

        [ValidateNotNullOrEmpty()]
        [string]$CliPath,

        [Parameter(ParameterSetName = 'Collect')]
        [ValidateRange(1, 3650)]
        [int]$LookbackDays = 7,

        [Parameter(ParameterSetName = 'Collect')]
        [ValidateRange(1, 10000000)]
        [int]$MaxEvents = 5000,

        [Parameter(ParameterSetName = 'Collect')]
        [ValidateSet('NoCheck', 'Online', 'Offline')]
        [string]$RevocationMode = 'NoCheck'
    )
    $ErrorActionPreference = 'Stop'
    $cli = Resolve-LdapsAuditCli -CliPath $CliPath
    $files = New-Object System.Collections.Generic.List[string]
    $temporary = $null
    $kept = $null
    $computerName = $null
    try {
        if ($PSCmdlet.ParameterSetName -eq 'File') {
            if (-not $cli.Found) { throw (New-Object System.InvalidOperationException(('cannot evaluate here: ' + $cli.Reason))) }
            foreach ($p in $InputPath) {
                foreach ($resolved in @(Resolve-Path -Path $p)) { $files.Add([string]$resolved.ProviderPath) }
            }
        } else {
            $snapshot = Invoke-LdapsAuditCollection -LookbackDays $LookbackDays -MaxEvents $MaxEvents -RevocationMode $RevocationMode
            $computerName = [string]$snapshot.host.fqdn
            if ($SnapshotPath) {
                $target = Resolve-LdapsAuditOutputPath -SessionState $PSCmdlet.SessionState -Path $SnapshotPath
                $kept = $target
            } elseif ($cli.Found) {
                $target = Join-Path ([System.IO.Path]::GetTempPath()) ('ldaps-audit-' + [guid]::NewGuid().ToString('N') + '.snapshot.json')
                $temporary = $target
            } else {
                $here = (Get-Location -PSProvider FileSystem).ProviderPath
                $target = Join-Path $here ((ConvertTo-LdapsAuditFileName -HostName $computerName) + '.snapshot.json')
                $kept = $target
            }
            $null = Write-LdapsAuditFileAtomic -LiteralPath $target -Text (ConvertTo-LdapsAuditJson -InputObject $snapshot)
            $files.Add($target)
            if (-not $cli.Found) {
                $command = 'ldaps-audit evaluate ' + (ConvertTo-LdapsAuditCommandLineArgument -Value $target) + ' --profile ' + (ConvertTo-LdapsAuditCommandLineArgument -Value $ComplianceProfile)
                Write-Warning ('Not evaluated on this host: ' + $cli.Reason + '. The snapshot is in ' + $target + '; evaluate it where ldaps-audit is installed: ' + $command + ' (or Invoke-LdapsAudit -InputPath <file> there).')
                return (New-LdapsAuditResult -Report $null -ComputerName $computerName -SnapshotPath $kept -EvaluateCommand $command)
            }
        }

        $arguments = New-Object System.Collections.Generic.List[string]
        $arguments.Add('evaluate')
        foreach ($f in $files) { $arguments.Add($f) }
        foreach ($a in @('--profile', $ComplianceProfile, '--format', 'json')) { $arguments.Add($a) }
        if ($Waivers) { $arguments.Add('--waivers'); $arguments.Add((Resolve-LdapsAuditOutputPath -SessionState $PSCmdlet.SessionState -Path $Waivers)) }
        if ($PSBoundParameters.ContainsKey('Now')) { $arguments.Add('--now'); $arguments.Add($Now.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)) }
        $html = $null
        if ($HtmlReportPath) {
            $html = Resolve-LdapsAuditOutputPath -SessionState $PSCmdlet.SessionState -Path $HtmlReportPath
            $arguments.Add('--output-html')
            $arguments.Add($html)
        }
        $run = Invoke-LdapsAuditCli -Command $cli.Command -ArgumentList $arguments.ToArray()
        # 0 compliant, 1 non-compliant: both are results. 2 (input) and 3 (internal) are failures of the run.
        if ($run.ExitCode -ne 0 -and $run.ExitCode -ne 1) {
            $message = (@($run.Stderr -split "`r?`n" | Where-Object { $_ }) -join '; ')
            throw (New-Object System.InvalidOperationException(('ldaps-audit evaluate failed (exit ' + $run.ExitCode + '): ' + $message)))
        }
        $report = ConvertFrom-Json -InputObject $run.Stdout
        return (New-LdapsAuditResult -Report $report -ComputerName $computerName -SnapshotPath $kept -HtmlReportPath $html)
    } finally {
        if ($temporary -and [System.IO.File]::Exists($temporary)) { [System.IO.File]::Delete($temporary) }
    }
}
