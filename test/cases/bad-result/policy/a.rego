package string_rule

deny := "x"
