@IF EXIST "%~dp0\node.exe" (
  "%~dp0\node.exe"  "%~dp0\slowtool" %*
) ELSE (
  @SETLOCAL
  @SET PATHEXT=%PATHEXT:;.JS;=;%
  node  "%~dp0\slowtool" %*
)
