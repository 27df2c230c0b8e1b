# METADATA
# title: Dockerfile checks, as conftest would run them
package main

deny contains "FROM found" if {
	some i
	input[i].Cmd == "from"
}

deny contains "the input is a string" if is_string(input)
