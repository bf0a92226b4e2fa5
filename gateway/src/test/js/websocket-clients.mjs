// Drives ethers' WebSocketProvider and viem's webSocket transport against the gateway (issue #20), as a dApp would:
// a call, newHeads while blocks are mined, logs of a contract event, and a batch, all over the gateway's socket.
// Blocks and transactions are made on the Anvil node directly (its HTTP port), never through the gateway.
// Prints one JSON line per client with what it observed; WebSocketClientsIT asserts on it. Usage:
//   node websocket-clients.mjs ws://127.0.0.1:PORT/v1/CHAIN/KEY http://127.0.0.1:ANVIL_PORT
import { WebSocketProvider } from "ethers";
import { createPublicClient, webSocket } from "viem";

const [gatewayUrl, anvilUrl] = process.argv.slice(2);
const DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const TIMEOUT_MS = 20_000;

async function anvil(method, params) {
  const response = await fetch(anvilUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const answer = await response.json();
  if (answer.error) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

// A contract whose every call emits one log with topic0 = keccak("Pinged(uint256)") (hand-assembled, as AnvilNode).
async function deployLogEmitter(topic) {
  const runtime = "43" + "6000" + "52" + "7f" + topic.slice(2) + "6020" + "6000" + "a1" + "00";
  const init = "60" + (runtime.length / 2).toString(16).padStart(2, "0") + "80" + "600b" + "6000" + "39" + "6000" + "f3";
  const hash = await anvil("eth_sendTransaction", [{ from: DEV_ACCOUNT, data: "0x" + init + runtime }]);
  return (await receipt(hash)).contractAddress;
}

// Anvil mines at once, yet on a loaded machine its receipt can be null for a moment after the hash is answered.
async function receipt(hash) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const found = await anvil("eth_getTransactionReceipt", [hash]);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no receipt for ${hash}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function within(promise, what) {
  return Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS))]);
}

// A batch sent on the client's own socket: neither library sends JSON-RPC batches over a WebSocket (ethers refuses
// batchMaxCount > 1 on sockets), so it goes out raw, and its answer is read beside the library's own handler.
function batchOver(socket) {
  const batch = [
    { jsonrpc: "2.0", id: "b1", method: "eth_chainId", params: [] },
    { jsonrpc: "2.0", id: "b2", method: "net_version", params: [] },
  ];
  const answer = new Promise((resolve) => {
    const listener = (event) => {
      const data = typeof event.data === "string" ? event.data : event.data.toString();
      if (data.startsWith("[")) {
        socket.removeEventListener("message", listener);
        resolve(JSON.parse(data));
      }
    };
    socket.addEventListener("message", listener);
  });
  socket.send(JSON.stringify(batch));
  return answer;
}

async function ethersClient(topic, contract) {
  const provider = new WebSocketProvider(gatewayUrl);
  // ethers reports the raw batch answer, which matches none of its ids, as an error event: expected here.
  provider.on("error", () => {});
  try {
    const chainId = await within(provider.send("eth_chainId", []), "ethers eth_chainId");
    const blockNumber = await within(provider.getBlockNumber(), "ethers getBlockNumber");

    // ethers subscribes in the background (no promise tells when): blocks are mined one at a time until three
    // heads came, so a head mined before the subscription held is simply not counted.
    const heads = [];
    await provider.on("block", (number) => heads.push(number));
    await repeatUntil(() => heads.length >= 3, () => anvil("anvil_mine", ["0x1"]), "ethers blocks");

    const logs = [];
    await provider.on({ address: contract, topics: [topic] }, (log) => logs.push(log));
    const sent = [];
    await repeatUntil(() => logs.length >= 2, async () =>
      sent.push(await anvil("eth_sendTransaction", [{ from: DEV_ACCOUNT, to: contract }])), "ethers logs");

    const batch = await within(batchOver(provider.websocket), "ethers batch");
    return {
      client: "ethers",
      chainId,
      blockNumber,
      heads,
      sentTransactions: sent,
      logs: logs.map((log) => ({ address: log.address, topics: log.topics, transactionHash: log.transactionHash })),
      batch,
    };
  } finally {
    await provider.destroy();
  }
}

// Acts every 250 ms until the condition holds.
async function repeatUntil(condition, action, what) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await action();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function viemClient(topic, contract) {
  const transport = webSocket(gatewayUrl, { retryCount: 0 });
  const client = createPublicClient({ transport });
  const chainId = await within(client.getChainId(), "viem getChainId");
  const blockNumber = await within(client.getBlockNumber(), "viem getBlockNumber");

  const { subscribe } = client.transport;
  const heads = [];
  const headsDone = new Promise((resolve, reject) => {
    subscribe({
      params: ["newHeads"],
      onData: (data) => {
        heads.push(Number(BigInt(data.result.number)));
        if (heads.length === 3) resolve();
      },
      onError: reject,
    }).then((subscription) => { headsSubscription = subscription; });
  });
  let headsSubscription;
  await waitUntil(() => headsSubscription, "viem newHeads subscription");
  await anvil("anvil_mine", ["0x3"]);
  await within(headsDone, "viem heads");
  await headsSubscription.unsubscribe();

  const logs = [];
  let logsSubscription;
  const logsDone = new Promise((resolve, reject) => {
    subscribe({
      params: ["logs", { address: contract, topics: [topic] }],
      onData: (data) => {
        logs.push(data.result);
        if (logs.length === 2) resolve();
      },
      onError: reject,
    }).then((subscription) => { logsSubscription = subscription; });
  });
  await waitUntil(() => logsSubscription, "viem logs subscription");
  const sent = [];
  for (let i = 0; i < 2; i++) sent.push(await anvil("eth_sendTransaction", [{ from: DEV_ACCOUNT, to: contract }]));
  await within(logsDone, "viem logs");
  await logsSubscription.unsubscribe();

  const socket = await transport({}).value.getSocket();
  const batch = await within(batchOver(socket), "viem batch");
  (await transport({}).value.getRpcClient()).close();
  return {
    client: "viem",
    chainId,
    blockNumber: Number(blockNumber),
    heads,
    sentTransactions: sent,
    logs: logs.map((log) => ({ address: log.address, topics: log.topics, transactionHash: log.transactionHash })),
    batch,
  };
}

async function waitUntil(condition, what) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const topic = await anvil("web3_sha3", ["0x" + Buffer.from("Pinged(uint256)").toString("hex")]);
const contract = await deployLogEmitter(topic);
console.log(JSON.stringify({ contract, topic }));
console.log(JSON.stringify(await ethersClient(topic, contract)));
console.log(JSON.stringify(await viemClient(topic, contract)));
process.exit(0);
