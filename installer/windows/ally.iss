; Ally for Windows — Inno Setup script (per-machine install).
; Build on Windows after PyInstaller:  iscc installer\windows\ally.iss
; Silent install for IT:   AllySetup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="%TEMP%\ally-setup.log"
; Silent removal:          "%ProgramFiles%\Ally\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; People's reports and settings (%LOCALAPPDATA%\Ally, %APPDATA%\Ally) are never removed.

#define AppVersion "0.1.0"

[Setup]
AppId={{6C1C5C0E-7B7E-4A53-9E1B-0A11C0FFEE01}
AppName=Ally
AppVersion={#AppVersion}
AppPublisher=Ally
DefaultDirName={autopf}\Ally
DefaultGroupName=Ally
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=AllySetup
Compression=lzma2
SolidCompression=yes
UninstallDisplayIcon={app}\ally-tray.exe

[Dirs]
; IT's policy lives here: %ProgramData%\Ally\policy.toml (readable by users, writable by admins)
Name: "{commonappdata}\Ally"; Permissions: users-readexec

[Files]
Source: "..\..\dist\ally\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion
Source: "..\..\resources\policy.example.toml"; DestDir: "{commonappdata}\Ally"; DestName: "policy.toml.example"; Flags: ignoreversion
Source: "..\..\docs\deploy.md"; DestDir: "{app}\docs"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\Ally"; Filename: "{app}\ally-tray.exe"
; Start at login for every user
Name: "{commonstartup}\Ally"; Filename: "{app}\ally-tray.exe"

[Run]
Filename: "{app}\ally-tray.exe"; Description: "Start Ally now"; Flags: nowait postinstall skipifsilent runasoriginaluser
