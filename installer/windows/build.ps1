# Builds AllySetup.exe on Windows, after PyInstaller has made dist\ally:
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
# The version comes from desktop\__init__.py (the one place it is written), and the
# installer's SHA-256 sum is written beside it for IT to check what they deploy.
# Signing: set ALLY_SIGNTOOL to a complete signtool command (e.g.
#   signtool sign /fd sha256 /tr http://timestamp.example /td sha256 /n "Your Company")
# and the installer is signed before its sum is taken.
$ErrorActionPreference = "Stop"
$root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
$init = Get-Content (Join-Path $root "desktop\__init__.py") -Raw
if ($init -notmatch '__version__ = "([^"]+)"') { throw "no __version__ in desktop\__init__.py" }
$version = $Matches[1]
$iscc = if ($env:ISCC) { $env:ISCC } else { "iscc" }
& $iscc "/DAppVersion=$version" (Join-Path $PSScriptRoot "ally.iss")
if ($LASTEXITCODE -ne 0) { throw "iscc failed ($LASTEXITCODE)" }
$exe = Join-Path $PSScriptRoot "Output\AllySetup.exe"
if ($env:ALLY_SIGNTOOL) {
    & cmd /c "$env:ALLY_SIGNTOOL `"$exe`""
    if ($LASTEXITCODE -ne 0) { throw "signing failed ($LASTEXITCODE)" }
}
$hash = (Get-FileHash -Algorithm SHA256 $exe).Hash.ToLower()
"$hash  AllySetup.exe" | Set-Content -Encoding ascii "$exe.sha256"
Write-Output "$exe ($version), sha256 $hash"
