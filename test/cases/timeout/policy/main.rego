package main

deny contains "never" if {
	some i in numbers.range(1, 6000)
	some j in numbers.range(1, 6000)
	i * j == -1
}
