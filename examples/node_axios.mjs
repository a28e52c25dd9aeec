// Send one WhatsApp message with axios. BASE_URL and API_KEY from the environment.
import axios from 'axios'

const response = await axios.post(
  `${process.env.BASE_URL}/api/whatsapp/send`,
  { recipient: '+22370123456', message: 'Hello from axios' },
  { headers: { 'X-API-Key': process.env.API_KEY }, validateStatus: () => true },
)
console.log(JSON.stringify(response.data))
process.exit(response.status === 200 ? 0 : 1)
