@IF EXIST "%~dp0\node.exe" (
  "%~dp0\node.exe"  "%~dp0\claude" %*
) ELSE (
  @SETLOCAL
  @SET PATHEXT=%PATHEXT:;.JS;=;%
  node  "%~dp0\claude" %*
)
