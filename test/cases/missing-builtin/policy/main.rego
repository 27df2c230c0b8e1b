package main

deny contains "down" if {
	resp := http.send({"method": "get", "url": "http://127.0.0.1:9"})
	resp.status_code != 200
}
