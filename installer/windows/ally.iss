; Ally for Windows — Inno Setup script (per-machine install).
; Build on Windows after PyInstaller:  iscc installer\windows\ally.iss
; Silent install for IT:   AllySetup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="%TEMP%\ally-setup.log"
; Silent removal:          "%ProgramFiles%\Ally\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Build with installer\windows\build.ps1: it passes the one version (desktop\__init__.py)
; and writes AllySetup.exe.sha256 beside the installer.
; People's reports, settings and log (%LOCALAPPDATA%\Ally) are never removed.

#ifndef AppVersion
  #error Build with installer\windows\build.ps1, which passes /DAppVersion from desktop\__init__.py
#endif

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
; An upgrade or removal closes a running Ally (Restart Manager) and starts it again
; afterwards; Ally registers itself for that restart.
CloseApplications=force
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=yes

[Dirs]
; IT's policy lives here: %ProgramData%\Ally\policy.toml. ProgramData lets every user create
; files; the [Run] entry below removes that (only Administrators and SYSTEM may write here),
; and Ally itself ignores a policy.toml not owned by them.
Name: "{commonappdata}\Ally"

[Files]
Source: "..\..\dist\ally\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion
Source: "..\..\resources\policy.example.toml"; DestDir: "{commonappdata}\Ally"; DestName: "policy.toml.example"; Flags: ignoreversion
Source: "..\..\docs\deploy.md"; DestDir: "{app}\docs"; Flags: ignoreversion
; Group Policy templates for IT's central store or Intune (docs/deploy.md).
Source: "policy\Ally.admx"; DestDir: "{app}\policy"; Flags: ignoreversion
Source: "policy\en-US\Ally.adml"; DestDir: "{app}\policy\en-US"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\Ally"; Filename: "{app}\ally-tray.exe"
; The launcher entry people look for when something is wrong: opens the report window of
; the running Ally (started first if need be). IT may copy it to the desktop or intranet.
Name: "{autoprograms}\Tell IT something's wrong"; Filename: "{app}\ally-tray.exe"; Parameters: "open report"; Comment: "Ally checks this computer and tells IT what is wrong"

[Registry]
; Start at login for every user as "ally-tray --login": Ally then follows the policy's
; [startup] at_login and each person's own setting (desktop/startup.py).
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "Ally"; ValueData: """{app}\ally-tray.exe"" --login"; Flags: uninsdeletevalue

[Run]
; Only Administrators and SYSTEM may write IT's policy folder; everyone may read it.
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Ally"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX"; Flags: runhidden waituntilterminated
Filename: "{app}\ally-tray.exe"; Description: "Start Ally now"; Flags: nowait postinstall skipifsilent runasoriginaluser
