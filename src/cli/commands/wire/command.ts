/** `xest wire decode HEX`: a datagram's UdpCC header and message, field by field, as JSON. */
import type { CommandModule } from 'yargs'
import { handleErrors } from '../../handle-errors.ts'

interface DecodeArgs { hex: string[], macKey: string | undefined, verbose: boolean }

const decodeCommand: CommandModule<object, DecodeArgs> = {
  command: 'decode <hex..>',
  describe: 'decode a Bamboo/UdpCC datagram given in hex (spaces and | allowed)',
  builder: (y) => y
    .positional('hex', { type: 'string', array: true, demandOption: true })
    .option('mac-key', { type: 'string', describe: 'file holding the 20-byte HMAC key; the MAC is then checked' })
    .option('verbose', { type: 'boolean', default: false })
    .example('$0 wire decode 00000000 000001a20a916b01', 'a 12-byte pure ack') as never,
  handler: async (args) => handleErrors(args.verbose, async () => {
    const { runWireDecode } = await import('./wire-decode.ts')
    process.stdout.write(await runWireDecode(args.hex.join(''), args.macKey) + '\n')
  })
}

export const wireCommand: CommandModule = {
  command: 'wire <command>',
  describe: 'inspect Bamboo wire data',
  builder: (y) => y.command(decodeCommand as CommandModule).demandCommand(1),
  handler: () => {}
}
