// A JSON-RPC upstream for the batch benchmark: like ../shared/bench/upstream.go it reads every body and keeps
// connections alive, but it answers a batch as a node does, with one answer per call carrying that call's id, so
// that the gateway's batch path (ids matched, each call metered) is measured on well-formed answers.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
)

type call struct {
	ID json.RawMessage `json:"id"`
}

type answer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  string          `json:"result"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address (loopback only)")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		var calls []call
		if err := json.Unmarshal(body, &calls); err == nil {
			answers := make([]answer, len(calls))
			for i, c := range calls {
				answers[i] = answer{"2.0", c.ID, "0x10d4f"}
			}
			json.NewEncoder(w).Encode(answers)
			return
		}
		var single call
		json.Unmarshal(body, &single)
		json.NewEncoder(w).Encode(answer{"2.0", single.ID, "0x10d4f"})
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
