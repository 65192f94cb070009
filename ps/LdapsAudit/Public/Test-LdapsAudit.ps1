Set-StrictMode -Version Latest

function Test-LdapsAudit {
    <#
    .SYNOPSIS
        Returns $true when LDAPS on this domain controller (or in the given snapshots) is compliant with the profile, $false when not.
    .DESCRIPTION
        For scripts and gates: Invoke-LdapsAudit reduced to one boolean. Evaluating needs the ldaps-audit CLI
        and Node.js; where they are missing Test-LdapsAudit throws instead of guessing (an audit that cannot
        run is neither a pass nor a fail). Use Get-LdapsAuditSnapshot there and test the snapshot elsewhere
        with -InputPath.
    .PARAMETER InputPath
        Test these snapshot files (wildcards allowed) instead of collecting on this host.
    .PARAMETER ComplianceProfile
        baseline, hardened, or the path of a profile file. Alias: -Profile.
    .PARAMETER Waivers
        Path of a waivers file (JSON or YAML).
    .PARAMETER Now
        Judge validity and expiry at this instant instead of now.
    .PARAMETER CliPath
        The ldaps-audit CLI (see Invoke-LdapsAudit).
    .PARAMETER LookbackDays
        Days of event log to read.
    .EXAMPLE
        if (-not (Test-LdapsAudit)) { Write-Warning 'LDAPS on this DC is not compliant: run Invoke-LdapsAudit for the details' }

        A gate in a maintenance script.
    .EXAMPLE
        Test-LdapsAudit -InputPath \\fs1\ldaps-audit$\snapshots\dc1.corp.example.snapshot.json -Profile hardened

        Tests a snapshot written by a DC's daily task against the hardened profile.
    .INPUTS
        None.
    .OUTPUTS
        System.Boolean
    .LINK
        Invoke-LdapsAudit
    #>
    [CmdletBinding(DefaultParameterSetName = 'Collect')]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'File')]
        [ValidateNotNullOrEmpty()]
        [string[]]$InputPath,

        [Alias('Profile')]
        [ValidateNotNullOrEmpty()]
        [string]$ComplianceProfile = 'baseline',

        [ValidateNotNullOrEmpty()]
        [string]$Waivers,

        [datetime]$Now,

        [ValidateNotNullOrEmpty()]
        [string]$CliPath,

        [Parameter(ParameterSetName = 'Collect')]
        [ValidateRange(1, 3650)]
        [int]$LookbackDays = 7
    )
    $ErrorActionPreference = 'Stop'
    # Decide before collecting: without the CLI there is no verdict to return, and no snapshot should be left behind.
    $cli = Resolve-LdapsAuditCli -CliPath $CliPath
    if (-not $cli.Found) {
        throw (New-Object System.InvalidOperationException(('Test-LdapsAudit cannot evaluate here: ' + $cli.Reason + '. Collect with Get-LdapsAuditSnapshot -Path <file> and run Test-LdapsAudit -InputPath <file> where ldaps-audit is installed.')))
    }
    $result = Invoke-LdapsAudit @PSBoundParameters
    return [bool]$result.Compliant
}
