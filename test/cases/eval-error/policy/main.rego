package main

owner := "a" if input.kind

owner := "b" if input.kind

deny contains "unowned" if owner == "c"
