package main

exception contains rules if {
	rules := ["x"]
}
