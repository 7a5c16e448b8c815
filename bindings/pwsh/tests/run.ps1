# run.ps1 - runs every bindings/pwsh/tests/*.Tests.ps1 in Pester (scripts/pwsh.sh
# sets the environment); the exit code is the number of failed tests.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue' # no progress bars in CI logs (the progress test has its own runspace)
Import-Module $env:MEMSCRY_PESTER
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.Exit = $true
$config.Output.Verbosity = 'Detailed'
$config.Should.ErrorAction = 'Continue'
Invoke-Pester -Configuration $config
