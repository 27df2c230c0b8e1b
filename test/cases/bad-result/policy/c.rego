package number_set

deny contains 1 if true
