# The ldaps-audit CLI (Node.js) that evaluates snapshots: where it is, and one run of it.
Set-StrictMode -Version Latest

function Resolve-LdapsAuditCli {
    <#
    The command that runs the CLI: [node, ldaps-audit.js] or [ldaps-audit]. Looks at -CliPath,
    $env:LDAPS_AUDIT_CLI, `ldaps-audit` on PATH, then bin\ldaps-audit.js of the package this module sits in;
    a .js needs node ($env:LDAPS_AUDIT_NODE, node on PATH, %ProgramFiles%\nodejs\node.exe).
    Returns @{ Found; Command; Reason } and never throws: a DC without Node.js is the normal case.
    #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][string]$CliPath)
    $cli = $CliPath
    if (-not $cli) { $cli = $env:LDAPS_AUDIT_CLI }
    if (-not $cli) {
        $command = Get-Command -Name 'ldaps-audit' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($command) { $cli = [string]$command.Source }
    }
    if (-not $cli) {
        # ps\LdapsAudit inside the npm package (or the source tree): the CLI is ..\..\bin\ldaps-audit.js.
        $packaged = Join-Path (Split-Path -Parent (Split-Path -Parent $script:LdapsAuditModuleRoot)) (Join-Path 'bin' 'ldaps-audit.js')
        if (Test-Path -LiteralPath $packaged) { $cli = $packaged }
    }
    if (-not $cli) {
        return [pscustomobject]@{ Found = $false; Command = @(); Reason = 'the ldaps-audit CLI was not found (install it with npm, or name bin\ldaps-audit.js with -CliPath or $env:LDAPS_AUDIT_CLI)' }
    }
    if (-not (Test-Path -LiteralPath $cli)) {
        return [pscustomobject]@{ Found = $false; Command = @(); Reason = ('the ldaps-audit CLI ' + $cli + ' does not exist') }
    }
    if ($cli -match '\.(cmd|bat)$') {
        # npm's ldaps-audit.cmd would hand every argument to cmd.exe, which reads & | % ^ in them (a file name on a
        # share could run a command). Run the package's own script with node instead: npm puts it beside the shim.
        $packageScript = Join-Path (Split-Path -Parent $cli) (Join-Path 'node_modules' (Join-Path 'ldaps-audit' (Join-Path 'bin' 'ldaps-audit.js')))
        if (-not (Test-Path -LiteralPath $packageScript)) {
            return [pscustomobject]@{ Found = $false; Command = @(); Reason = ('the ldaps-audit CLI ' + $cli + ' is a cmd.exe script and ' + $packageScript + ' is not beside it: name bin\ldaps-audit.js with -CliPath or $env:LDAPS_AUDIT_CLI') }
        }
        $cli = $packageScript
    }
    if (-not $cli.EndsWith('.js', [System.StringComparison]::OrdinalIgnoreCase)) {
        return [pscustomobject]@{ Found = $true; Command = @($cli); Reason = $null }
    }
    $node = $env:LDAPS_AUDIT_NODE
    if (-not $node) {
        $nodeCommand = Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($nodeCommand) { $node = [string]$nodeCommand.Source }
    }
    if (-not $node) {
        $programFiles = [Environment]::GetFolderPath('ProgramFiles')
        if ($programFiles) {
            $candidate = Join-Path $programFiles (Join-Path 'nodejs' 'node.exe')
            if (Test-Path -LiteralPath $candidate) { $node = $candidate }
        }
    }
    if (-not $node) {
        return [pscustomobject]@{ Found = $false; Command = @(); Reason = 'Node.js was not found (ldaps-audit needs Node.js 20 or later; or set $env:LDAPS_AUDIT_NODE)' }
    }
    return [pscustomobject]@{ Found = $true; Command = @($node, $cli); Reason = $null }
}

function Invoke-LdapsAuditCli {
    <#
    Runs the CLI with an argument vector (each argument quoted for CommandLineToArgvW, never joined into
    script text) and returns @{ ExitCode; Stdout; Stderr } as UTF-8 text.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string[]]$Command,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$ArgumentList
    )
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $Command[0]
    $all = @($Command | Select-Object -Skip 1) + @($ArgumentList)
    $psi.Arguments = (@($all | ForEach-Object { ConvertTo-LdapsAuditCommandLineArgument -Value $_ }) -join ' ')
    if ($psi.FileName.Length + $psi.Arguments.Length -gt 32000) {
        # CreateProcess takes at most 32767 characters: say so instead of failing with a Win32 error.
        throw (New-Object System.ArgumentException(('the ldaps-audit command line would be ' + ($psi.FileName.Length + $psi.Arguments.Length) + ' characters (Windows allows 32767): evaluate fewer snapshot files at once')))
    }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.CreateNoWindow = $true
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $psi.StandardOutputEncoding = $utf8
    $psi.StandardErrorEncoding = $utf8
    $process = [System.Diagnostics.Process]::Start($psi)
    try {
        # Read stderr on another thread while stdout drains here: a full pipe on either side would hang both processes.
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        return [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout; Stderr = $stderrTask.Result }
    } finally {
        $process.Dispose()
    }
}

function Get-LdapsAuditPowerShellPath {
    <# The PowerShell executable of the running edition: what a scheduled task should start to run this module. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    if ($PSVersionTable.ContainsKey('PSEdition') -and [string]$PSVersionTable.PSEdition -eq 'Core') {
        if ($onWindows) { return (Join-Path $PSHOME 'pwsh.exe') }
        return (Join-Path $PSHOME 'pwsh')
    }
    return (Join-Path $PSHOME 'powershell.exe')
}
