# LdapsAuditDsc: a classic (PSDesiredStateConfiguration) class-based DSC resource that audits LDAPS on
# this domain controller with ldaps-audit, shaped for Azure Machine Configuration (audit packages):
# Test() says compliant or not, Get() returns Reasons (Code ldapsaudit:ldapsaudit:<control id>, Phrase).
# Set() makes LDAPS compliant (an ApplyAndMonitor/ApplyAndAutoCorrect assignment, or Start-DscConfiguration):
# the plan of `ldaps-audit fix`, applied with rollback; audit packages never call it.
#
# All of it is the ldaps-audit CLI (`ldaps-audit dsc test` / `dsc set`, the same code the DSC v3 resource
# runs): this module only passes the properties as JSON on stdin and reads one JSON line back.
# Windows PowerShell 5.1 compatible: no ??, ?., ternary, && / || pipeline chains.
Set-StrictMode -Version Latest

class LdapsAuditReason {
    [DscProperty()]
    [string] $Code

    [DscProperty()]
    [string] $Phrase
}

[DscResource()]
class LdapsAuditCompliance {
    # baseline, hardened, or the path of a profile file.
    [DscProperty(Key)]
    [string] $Profile

    # Path of a waivers file (JSON or YAML).
    [DscProperty()]
    [string] $Waivers

    # Days of event log the collector reads (1-3650); 0 means the tool's default (7).
    [DscProperty()]
    [int] $LookbackDays

    # Evaluate this snapshot file instead of collecting on this host.
    [DscProperty()]
    [string] $SnapshotPath

    # Judge validity and expiry at this instant (ISO 8601) instead of now.
    [DscProperty()]
    [string] $Now

    # Set(): a certificate already on this host (SHA-1 thumbprint) that must be the LDAPS certificate.
    [DscProperty()]
    [string] $CertificateThumbprint

    # Set(): a PFX to import; its password is PfxCredential's (the user name is ignored).
    [DscProperty()]
    [string] $PfxPath

    [DscProperty()]
    [System.Management.Automation.PSCredential] $PfxCredential

    # Set(): enrol as the machine from this ADCS template (SAN = the host's FQDN plus ExtraNames).
    [DscProperty()]
    [string] $EnrollTemplate

    [DscProperty()]
    [string[]] $ExtraNames

    # Set(): also restart the directory service after the reload.
    [DscProperty()]
    [bool] $RestartService

    # The ldaps-audit CLI: bin\ldaps-audit.js of the package (run with node), or an ldaps-audit(.cmd/.exe)
    # command. Default: $env:LDAPS_AUDIT_CLI, then ldaps-audit on PATH, then ..\..\bin\ldaps-audit.js
    # relative to this module (the module inside the package's dsc\ folder).
    [DscProperty()]
    [string] $CliPath

    [DscProperty(NotConfigurable)]
    [bool] $InDesiredState

    [DscProperty(NotConfigurable)]
    [LdapsAuditReason[]] $Reasons

    [LdapsAuditCompliance] Get() {
        $state = $this.Invoke('get')
        $result = [LdapsAuditCompliance]::new()
        $result.Profile = $this.Profile
        $result.Waivers = $this.Waivers
        $result.LookbackDays = $this.LookbackDays
        $result.SnapshotPath = $this.SnapshotPath
        $result.Now = $this.Now
        $result.CliPath = $this.CliPath
        if ($state.PSObject.Properties['certificateThumbprint']) { $result.CertificateThumbprint = [string]$state.certificateThumbprint }
        $result.PfxPath = $this.PfxPath
        $result.EnrollTemplate = $this.EnrollTemplate
        $result.ExtraNames = $this.ExtraNames
        $result.RestartService = $this.RestartService
        $result.InDesiredState = [bool]$state._inDesiredState
        $list = [System.Collections.Generic.List[LdapsAuditReason]]::new()
        foreach ($r in @($state.reasons)) {
            if ($null -eq $r) { continue }
            $reason = [LdapsAuditReason]::new()
            $reason.Code = [string]$r.code
            $reason.Phrase = [string]$r.phrase
            $list.Add($reason)
        }
        if ($list.Count -eq 0) {
            # Machine Configuration shows the reasons of a compliant machine too: say what was checked.
            $reason = [LdapsAuditReason]::new()
            $reason.Code = 'ldapsaudit:ldapsaudit:Compliant'
            $targets = @($state._metadata.targets | ForEach-Object { $_.host + ' (' + $_.service + ')' }) -join ', '
            $reason.Phrase = 'LDAPS is compliant with profile ' + $state._metadata.profile.id + ': ' + $targets
            $list.Add($reason)
        }
        $result.Reasons = $list.ToArray()
        return $result
    }

    [bool] Test() {
        $state = $this.Invoke('test')
        return [bool]$state._inDesiredState
    }

    [void] Set() {
        # The CLI plans, refuses what it cannot do safely (no certificate source, not elevated, a snapshot
        # instead of this host), applies with rollback and throws with the reason when it did not get there.
        $null = $this.Invoke('set')
    }

    # The properties as the DSC v3 resource's desired state (only those that are set).
    hidden [hashtable] DesiredState() {
        $desired = @{}
        if ($this.CertificateThumbprint) { $desired['certificateThumbprint'] = $this.CertificateThumbprint }
        if ($this.PfxPath) { $desired['pfxPath'] = $this.PfxPath }
        if ($null -ne $this.PfxCredential) { $desired['pfxPassword'] = $this.PfxCredential.GetNetworkCredential().Password }
        if ($this.EnrollTemplate) { $desired['enrollTemplate'] = $this.EnrollTemplate }
        if ($this.ExtraNames) { $desired['extraNames'] = @($this.ExtraNames) }
        if ($this.RestartService) { $desired['restartService'] = $true }
        if ($this.Profile) { $desired['profile'] = $this.Profile }
        if ($this.Waivers) { $desired['waivers'] = $this.Waivers }
        if ($this.LookbackDays -gt 0) { $desired['lookbackDays'] = $this.LookbackDays }
        if ($this.SnapshotPath) { $desired['snapshotPath'] = $this.SnapshotPath }
        if ($this.Now) { $desired['now'] = $this.Now }
        return $desired
    }

    # [executable, leading arguments] for the CLI.
    hidden [string[]] ResolveCli() {
        $cli = $this.CliPath
        if (-not $cli) { $cli = $env:LDAPS_AUDIT_CLI }
        if (-not $cli) {
            $cmd = Get-Command -Name 'ldaps-audit' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if ($cmd) { $cli = $cmd.Source }
        }
        if (-not $cli) {
            $packaged = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'bin/ldaps-audit.js'
            if (Test-Path -LiteralPath $packaged) { $cli = $packaged }
        }
        if (-not $cli) {
            throw 'ldaps-audit CLI not found: set the CliPath property or $env:LDAPS_AUDIT_CLI to bin\ldaps-audit.js or the ldaps-audit command'
        }
        if ($cli.EndsWith('.js', [System.StringComparison]::OrdinalIgnoreCase)) {
            $node = $env:LDAPS_AUDIT_NODE
            if (-not $node) {
                $nodeCmd = Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
                if ($nodeCmd) { $node = $nodeCmd.Source }
            }
            if (-not $node) {
                $candidate = Join-Path ([Environment]::GetFolderPath('ProgramFiles')) 'nodejs\node.exe'
                if (Test-Path -LiteralPath $candidate) { $node = $candidate }
            }
            if (-not $node) { throw 'node not found: install Node.js 20+ or set $env:LDAPS_AUDIT_NODE' }
            return @($node, $cli)
        }
        return @($cli)
    }

    # Runs `ldaps-audit dsc <operation>` with the desired state on stdin; returns the actual state (first JSON line).
    # get answers with test's state as well: _inDesiredState is only in test's, and Get() reports it.
    hidden [object] Invoke([string]$operation) {
        if ($operation -eq 'get') { $operation = 'test' }
        $command = $this.ResolveCli()
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $command[0]
        $quoted = [System.Collections.Generic.List[string]]::new()
        for ($i = 1; $i -lt $command.Count; $i++) { $quoted.Add('"' + $command[$i] + '"') }
        $quoted.Add('dsc')
        $quoted.Add($operation)
        $psi.Arguments = $quoted -join ' '
        $psi.UseShellExecute = $false
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.CreateNoWindow = $true
        $utf8 = New-Object System.Text.UTF8Encoding($false)
        $psi.StandardOutputEncoding = $utf8
        $psi.StandardErrorEncoding = $utf8
        $json = ConvertTo-Json -InputObject $this.DesiredState() -Compress
        $process = [System.Diagnostics.Process]::Start($psi)
        $stderrTask = $process.StandardError.ReadToEndAsync()
        # Write UTF-8 bytes ourselves: the stdin writer's default encoding differs between 5.1 and 7.
        $bytes = $utf8.GetBytes($json)
        $process.StandardInput.BaseStream.Write($bytes, 0, $bytes.Length)
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        $stderr = $stderrTask.Result
        foreach ($line in ($stderr -split "`r?`n")) {
            if (-not $line) { continue }
            $message = $line
            try {
                $trace = ConvertFrom-Json -InputObject $line
                foreach ($level in @('error', 'warn', 'info')) {
                    if ($trace.PSObject.Properties[$level]) { $message = $level + ': ' + $trace.$level }
                }
            } catch {
                $message = $line
            }
            Write-Verbose $message
        }
        if ($process.ExitCode -ne 0) {
            $errors = @()
            foreach ($line in ($stderr -split "`r?`n")) {
                if (-not $line) { continue }
                try {
                    $trace = ConvertFrom-Json -InputObject $line
                    if ($trace.PSObject.Properties['error']) { $errors += [string]$trace.error }
                } catch {
                    $errors += $line
                }
            }
            throw ('ldaps-audit dsc ' + $operation + ' failed (exit ' + $process.ExitCode + '): ' + ($errors -join '; '))
        }
        $first = ($stdout -split "`r?`n" | Where-Object { $_ -ne '' } | Select-Object -First 1)
        if (-not $first) { throw ('ldaps-audit dsc ' + $operation + ' printed no result') }
        return (ConvertFrom-Json -InputObject $first)
    }
}
