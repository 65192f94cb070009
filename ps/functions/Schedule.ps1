# Scheduled task helpers for `ldaps-audit schedule`: command-line quoting and task registration.
Set-StrictMode -Version Latest

function ConvertTo-LdapsAuditCommandLineArgument {
    <# Quote one argument so CommandLineToArgvW (and node) reads it back unchanged. #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Value)
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') { return $Value }
    $sb = New-Object System.Text.StringBuilder
    [void]$sb.Append('"')
    $backslashes = 0
    foreach ($ch in $Value.ToCharArray()) {
        if ($ch -eq [char]'\') { $backslashes++; continue }
        if ($ch -eq [char]'"') {
            [void]$sb.Append([string]::new([char]'\', $backslashes * 2 + 1))
            [void]$sb.Append('"')
        } else {
            [void]$sb.Append([string]::new([char]'\', $backslashes))
            [void]$sb.Append($ch)
        }
        $backslashes = 0
    }
    [void]$sb.Append([string]::new([char]'\', $backslashes * 2))
    [void]$sb.Append('"')
    return $sb.ToString()
}

function Register-LdapsAuditTask {
    <# Registers (or replaces) a daily task running as SYSTEM: `ldaps-audit check`, or the module's snapshot script. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9 ._-]{1,100}$')][string]$TaskName,
        [Parameter(Mandatory = $true)][ValidatePattern('^\\([A-Za-z0-9 ._-]+\\)*$')][string]$TaskPath,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$Execute,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Arguments,
        [Parameter(Mandatory = $true)][ValidatePattern('^([01][0-9]|2[0-3]):[0-5][0-9]$')][string]$At,
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$WorkingDirectory,
        [ValidateNotNullOrEmpty()][string]$Description = 'ldaps-audit: daily LDAPS check (reports in the folder named by --report-dir)'
    )
    if ($null -eq (Get-Command -Name 'Register-ScheduledTask' -ErrorAction SilentlyContinue)) {
        throw (New-Object System.PlatformNotSupportedException('the ScheduledTasks module is not available: scheduled tasks need Windows'))
    }
    $argumentLine = (@($Arguments | ForEach-Object { ConvertTo-LdapsAuditCommandLineArgument -Value $_ }) -join ' ')
    $time = [datetime]::ParseExact($At, 'HH:mm', [System.Globalization.CultureInfo]::InvariantCulture)
    $action = New-ScheduledTaskAction -Execute $Execute -Argument $argumentLine -WorkingDirectory $WorkingDirectory
    $trigger = New-ScheduledTaskTrigger -Daily -At $time
    # SYSTEM: reading NTDS\My in the registry, key file ACLs and the Directory Service log needs local admin rights.
    $principal = New-ScheduledTaskPrincipal -UserId 'S-1-5-18' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1) -MultipleInstances IgnoreNew
    $null = Register-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Description $Description -Force
    return [ordered]@{ action = 'install'; taskName = $TaskName; taskPath = $TaskPath; execute = $Execute; arguments = $argumentLine; at = $At; runAs = 'NT AUTHORITY\SYSTEM' }
}

function Unregister-LdapsAuditTask {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9 ._-]{1,100}$')][string]$TaskName,
        [Parameter(Mandatory = $true)][ValidatePattern('^\\([A-Za-z0-9 ._-]+\\)*$')][string]$TaskPath
    )
    if ($null -eq (Get-Command -Name 'Unregister-ScheduledTask' -ErrorAction SilentlyContinue)) {
        throw (New-Object System.PlatformNotSupportedException('the ScheduledTasks module is not available: scheduled tasks need Windows'))
    }
    $existing = @(Get-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -ErrorAction SilentlyContinue)
    if ($existing.Count -eq 0) { return [ordered]@{ action = 'remove'; taskName = $TaskName; taskPath = $TaskPath; removed = $false } }
    Unregister-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Confirm:$false
    return [ordered]@{ action = 'remove'; taskName = $TaskName; taskPath = $TaskPath; removed = $true }
}
