package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which block a request reads state at, and which block a block read names. */
class BlockReferencesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xabc","0x10"]}                          | 16
            {"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xabc","latest"]}                        | -1
            {"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xabc",{"blockNumber":"0x20"}]}          | 32
            {"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xabc",{"blockHash":"0x01"}]}            | -1
            {"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"0xabc"},"0xff"]}                         | 255
            {"jsonrpc":"2.0","id":1,"method":"eth_getStorageAt","params":["0xabc","0x0","0x5"]}                   | 5
            {"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x10",false]}                      | -1
            {"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x1"}]}                        | -1
            {"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xabc","0xffffffffffffffffffff"]}        | -1
            [{"jsonrpc":"2.0","id":1,"method":"eth_getCode","params":["0xabc","0x30"]},{"jsonrpc":"2.0","id":2,"method":"eth_getBalance","params":["0xabc","0x7"]}] | 7
            not json                                                                                              | -1
            """)
    void findsTheLowestBlockAtWhichStateIsRead(String body, long block) {
        assertThat(BlockReferences.lowestStateBlock(bytes(body))).isEqualTo(block);
    }

    @Test
    void findsTheBlockOfASingleBlockRead() {
        assertThat(BlockReferences.blockRead(bytes(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x10\",false]}")))
            .isEqualTo(16);
        assertThat(BlockReferences.blockRead(bytes(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false]}")))
            .isEqualTo(-1);
    }

    @Test
    void recognisesANullResult() {
        assertThat(BlockReferences.nullResult(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}"))).isTrue();
        assertThat(BlockReferences.nullResult(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"))).isFalse();
        assertThat(BlockReferences.nullResult(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}"))).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
