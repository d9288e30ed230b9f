@IF EXIST "%~dp0\node.exe" (
  "%~dp0\node.exe"  "%~dp0\aider" %*
) ELSE (
  @SETLOCAL
  @SET PATHEXT=%PATHEXT:;.JS;=;%
  node  "%~dp0\aider" %*
)
