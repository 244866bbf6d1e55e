package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Goodbye;
import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.proto.v1.WorkerStatus;
import dev.ipclab.transport.protocol.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of what a worker, honest or not, can send the parent: envelopes of every kind with odd field values,
 * envelopes with a kind this parent does not know, and their frames with bytes flipped, cut or a length inflated.
 */
final class WorkerEnvelopes {
  private static final java.util.Set<Integer> KNOWN_FIELDS = WorkerEnvelope.getDescriptor().getFields().stream()
      .map(com.google.protobuf.Descriptors.FieldDescriptor::getNumber).collect(java.util.stream.Collectors.toSet());

  private WorkerEnvelopes() {}

  /** Any envelope, mostly with small request ids so that some match requests in flight. */
  static Arbitrary<WorkerEnvelope> any() {
    Arbitrary<Long> ids = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(0, 5)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
    Arbitrary<ByteString> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(ByteString::copyFrom);
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(80);
    Arbitrary<WorkerEnvelope.Builder> kind = Arbitraries.oneOf(List.of(
        Combinators.combine(Arbitraries.integers().between(-1, 4),
            Arbitraries.of(Protocol.VERSION, 0, 2, 99, -1), text, Arbitraries.longs())
            .as((id, version, token, pid) -> WorkerEnvelope.newBuilder().setHello(
                Hello.newBuilder().setWorkerId(id).setProtocolVersion(version).setToken(token).setPid(pid))),
        bytes.map(p -> WorkerEnvelope.newBuilder().setPong(Pong.newBuilder().setPayload(p))),
        Arbitraries.integers().map(n -> WorkerEnvelope.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder().setThreadCount(n))),
        Arbitraries.longs().map(n -> WorkerEnvelope.newBuilder()
            .setGoodbye(Goodbye.newBuilder().setRequestsServed(n))),
        Combinators.combine(Arbitraries.integers().between(0, 40), text).as((code, message) ->
            WorkerEnvelope.newBuilder().setError(ErrorReply.newBuilder().setCodeValue(code).setMessage(message))),
        bytes.map(p -> WorkerEnvelope.newBuilder().setTaskResult(TaskResult.newBuilder().setPayload(p))),
        Arbitraries.longs().map(n -> WorkerEnvelope.newBuilder()
            .setWorkerStatus(WorkerStatus.newBuilder().setFramesSent(n))),
        Arbitraries.just(WorkerEnvelope.newBuilder())));
    Arbitrary<WorkerEnvelope> known = Combinators.combine(kind, ids).as((b, id) -> b.setRequestId(id).build());
    // A newer worker's kind: a field number this parent does not know, which parses as KIND_NOT_SET.
    Arbitrary<WorkerEnvelope> unknown = Combinators.combine(
            Arbitraries.integers().between(2, 300).filter(f -> !KNOWN_FIELDS.contains(f)), bytes, ids)
        .as((field, payload, id) -> WorkerEnvelope.newBuilder().setRequestId(id)
            .setUnknownFields(UnknownFieldSet.newBuilder().addField(field,
                UnknownFieldSet.Field.newBuilder().addLengthDelimited(payload).build()).build())
            .build());
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, known), net.jqwik.api.Tuple.of(1, unknown));
  }

  /** Frames of up to six envelopes, then up to three mutations: what a confused or hostile peer writes. */
  static Arbitrary<byte[]> almostValidStream() {
    Arbitrary<byte[]> framed = any().list().ofMaxSize(6).map(WorkerEnvelopes::framed);
    Arbitrary<int[]> mutation = Arbitraries.integers().between(0, Integer.MAX_VALUE).array(int[].class).ofSize(3);
    return Combinators.combine(framed, mutation.list().ofMaxSize(3)).as((bytes, mutations) -> {
      for (int[] m : mutations) {
        bytes = mutate(bytes, m[0] % 4, m[1], (byte) m[2]);
      }
      return bytes;
    });
  }

  static byte[] framed(List<WorkerEnvelope> envelopes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (WorkerEnvelope e : envelopes) {
        e.writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] mutate(byte[] in, int kind, int position, byte value) {
    int at = in.length == 0 ? 0 : position % in.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (kind) {
      case 0 -> { // flip
        byte[] copy = in.clone();
        if (copy.length > 0) {
          copy[at] ^= (byte) (value == 0 ? 1 : value);
        }
        return copy;
      }
      case 1 -> { // truncate
        return java.util.Arrays.copyOf(in, at);
      }
      case 2 -> { // insert a byte
        out.write(in, 0, at);
        out.write(value);
        out.write(in, at, in.length - at);
      }
      default -> { // a 2 GiB length prefix where a frame could start
        out.write(in, 0, at);
        out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});
        out.write(in, at, in.length - at);
      }
    }
    return out.toByteArray();
  }
}
