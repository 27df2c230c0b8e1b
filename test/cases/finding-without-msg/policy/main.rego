package main

deny contains {"code": "x/y"} if true
