echo 'single  $HOME' "double  $USER" back\ slash 'a'"b"c
